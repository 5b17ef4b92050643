package query

import (
	"slices"
	"strings"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
)

// parseOps reads --op: op names as docs/events.md lists them, or their
// short aliases (cudaStreamSync), comma-separated.
func parseOps(s string) ([]event.Key, error) {
	if s == "" {
		return nil, nil
	}
	var keys []event.Key
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		oi, ok := event.OpByName(name)
		if !ok {
			return nil, unknownOp(name)
		}
		if k := (event.Key{Source: oi.Source, Op: oi.Op}); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

func unknownOp(name string) error {
	var names []string
	for _, oi := range event.Ops() {
		names = append(names, oi.Name)
	}
	if near := cli.Closest(name, names); near != "" {
		return cli.Usagef("--op: unknown op %q; did you mean %q?", name, near)
	}
	return cli.Usagef("--op: unknown op %q (docs/events.md lists them: cudaMalloc, cuLaunchKernel, sched_switch, …)", name)
}

