package export

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"ingero.dev/common/cli"
	"ingero.dev/common/fleet"
	"ingero.dev/common/store"
)

const defaultNodeEvents = 100_000

// fetchFleet pulls every node's window from its dashboard (events,
// stored chains, host snapshots) into a private temporary recording and
// points the request at it, so the trace is drawn exactly as for a
// merged file: one process track per node. The cleanup removes it.
func (c *config) fetchFleet(ctx context.Context, plan *fleet.Plan, req *request) (func(), error) {
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["from"] || set["to"]:
		return nil, cli.Usagef("--from/--to do not apply to --nodes: each dashboard looks back from its recording's end; use --since DURATION")
	case c.nodeEvents < 1 || c.nodeEvents > 1_000_000:
		return nil, cli.Usagef("--node-events %d: want 1 to 1000000", c.nodeEvents)
	}
	since := "all"
	if set["since"] {
		since = c.window.Since
	}
	// The window was cut on each node, against its own newest event; cut
	// again here it would be measured from the newest node's end.
	c.window.Since = ""
	client, err := plan.Client()
	if err != nil {
		return nil, err
	}
	defer client.Close()
	if plan.From != "" {
		fmt.Fprintf(c.stdio.Err, "ingero export: fetching from %d nodes of fleet.nodes in %s (-d FILE reads a local recording)\n", len(plan.Nodes), plan.From)
	}
	var skews []fleet.Skew
	skewDone := make(chan struct{})
	go func() { skews = fleet.MeasureSkew(ctx, client); close(skewDone) }()
	recs, warns, err := fleet.Recordings(ctx, client, since, c.nodeEvents)
	<-skewDone
	for _, w := range append(warns, fleet.SkewWarnings(skews, c.fleet.SkewThreshold)...) {
		fmt.Fprintf(c.stdio.Err, "ingero export: warning: %s\n", w)
	}
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ingero-export-nodes-")
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	req.db = filepath.Join(dir, "fleet.db")
	if err := writeFleet(req.db, recs); err != nil {
		cleanup()
		return nil, fmt.Errorf("keeping the nodes' events: %w", err)
	}
	return cleanup, nil
}

// writeFleet stores the nodes' windows as one recording. Two nodes that
// recorded under the same node name (a default hostname) are told apart
// by the address they were asked at, so their tracks stay separate.
func writeFleet(path string, recs []fleet.NodeRecording) error {
	names := map[string]int{}
	for _, r := range recs {
		for _, n := range recordedNames(r) {
			names[n]++
		}
	}
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		return err
	}
	for _, r := range recs {
		rename := func(n string) string {
			if names[n] > 1 {
				return n + "@" + r.Node.Name
			}
			return n
		}
		for i := range r.Events {
			r.Events[i].Node = rename(r.Events[i].Node)
		}
		for i := range r.Chains {
			r.Chains[i].Node = rename(r.Chains[i].Node)
		}
		for i := range r.Snapshots {
			r.Snapshots[i].Node = rename(r.Snapshots[i].Node)
		}
		if err := w.Append(r.Events); err != nil {
			w.Close()
			return err
		}
		if err := w.PutChains(r.Chains); err != nil {
			w.Close()
			return err
		}
		if err := w.PutSnapshots(r.Snapshots); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// recordedNames are the node names a node's window carries (one, unless
// it is itself a merged recording).
func recordedNames(r fleet.NodeRecording) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for i := range r.Events {
		add(r.Events[i].Node)
	}
	for _, ch := range r.Chains {
		add(ch.Node)
	}
	return out
}
