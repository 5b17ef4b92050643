package explain

import (
	"flag"
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/cli"
	"ingero.dev/common/timerange"
)

// request is the command line, checked and resolved against the clock.
type request struct {
	opts    causal.Options
	rng     timerange.Range // in the report's zone
	now     time.Time
	toGiven bool // --to was given, so "--since" hints would not reach
}

func (c *config) request(args []string) (request, error) {
	switch {
	case len(args) > 0:
		return request{}, cli.Usagef("explain takes no arguments (got %q); to query events use 'ingero query'", args[0])
	case c.byRequest && (c.chains || c.perProcess || c.annotations):
		return request{}, cli.Usagef("--by-request is a report of its own: leave out --chains, --per-process and --annotations")
	case c.byRequest && c.last > 0:
		return request{}, cli.Usagef("--by-request summarises request spans over a window: use --since/--from/--to, not --last")
	case c.last < 0:
		return request{}, cli.Usagef("--last %d: must be 1 or more (0 analyses the whole window)", c.last)
	case c.chains && c.perProcess:
		return request{}, cli.Usagef("--chains shows stored chains without analysis, and --per-process needs one; give one of them")
	case c.chains && c.last > 0:
		return request{}, cli.Usagef("--last picks the events to analyse, and --chains analyses none; use --since/--from to pick stored chains")
	}
	pids, err := cli.ParsePIDs(c.pids)
	if err != nil {
		return request{}, err
	}
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	now := c.now().In(c.loc)
	var rng timerange.Range
	if c.last > 0 && !set["since"] && !set["from"] {
		rng, err = c.window.Spec.Resolve(now, 0) // --last alone: the newest N of all history
	} else {
		rng, err = c.window.Resolve(now)
	}
	if err != nil {
		return request{}, err
	}
	rng.To = rng.To.In(c.loc)
	opts := causal.Options{ToNs: rng.To.UnixNano(), PIDs: pids, Last: c.last, Now: now}
	if !rng.From.IsZero() {
		rng.From = rng.From.In(c.loc)
		opts.FromNs = rng.From.UnixNano()
	}
	return request{opts: opts, rng: rng, now: now, toGiven: set["to"]}, nil
}
