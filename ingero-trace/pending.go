package trace

import (
	"flag"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/timerange"
)

// pending holds the spec's trace flags whose work lands with an open
// issue. They are registered so that `--help` lists them and a script
// written against the spec gets a refusal that names the gap, not
// "flag provided but not defined"; each accepts the value that asks for
// nothing (throttle polling off).
type pending struct {
	prometheus string
	otlp       string
	throttle   time.Duration
}

func (p *pending) register(fs *flag.FlagSet) {
	fs.StringVar(&p.prometheus, "prometheus", "", "serve Prometheus /metrics on `ADDR` (not in this build yet: issue #14)")
	fs.StringVar(&p.otlp, "otlp", "", "push metrics over OTLP/HTTP to `HOST:PORT` (not in this build yet: issue #14)")
	timerange.DurationVar(fs, &p.throttle, "throttle-poll-interval", 0, "poll NVML clock-throttle reasons this often (0 = off; polling is not in this build yet: issue #14)")
}

func (p *pending) validate() error {
	switch {
	case p.prometheus != "":
		return cli.Usagef("--prometheus is not in this build yet (issue #14); read the recording with 'ingero dashboard' (its /api/v1/ops and /snapshots serve the same numbers as JSON)")
	case p.otlp != "":
		return cli.Usagef("--otlp is not in this build yet (issue #14); export a recording's timeline with 'ingero export' instead")
	case p.throttle != 0:
		return cli.Usagef("--throttle-poll-interval %s: NVML throttle polling is not in this build yet (issue #14); 0 (off) is accepted", p.throttle)
	}
	return nil
}
