// Package explain builds the `ingero explain` command: the incident report
// of a recording (causal chains with their timeline, root cause and fix),
// the chains trace stored live, and the per-process GPU API breakdown.
package explain

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/causal"
	"ingero.dev/common/cli"
	"ingero.dev/common/fleet"
	"ingero.dev/common/recording"
	"ingero.dev/common/source"
	"ingero.dev/common/timerange"
)

const defaultSince = 5 * time.Minute

type config struct {
	stdio       cli.Stdio
	db          string
	window      timerange.Window
	last        int
	pids        string
	chains      bool
	json        bool
	perProcess  bool
	annotations bool
	byRequest   bool
	fleet       fleet.Flags
	fs          *flag.FlagSet

	// now and loc are the clock and the zone of the report's times; tests
	// fix them so that outputs are byte-for-byte stable.
	now func() time.Time
	loc *time.Location
	// analyze is the causal engine; tests may replace it with a fixed
	// report to exercise the rendering on its own.
	analyze func(context.Context, source.Source, causal.Options) (*causal.Report, error)
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	return newCommand(&config{stdio: stdio, now: time.Now, loc: time.Local, analyze: causal.Analyze})
}

func newCommand(c *config) *ffcli.Command {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	c.fs = fs
	cli.DBFlag(fs, &c.db)
	c.window.Register(fs, defaultSince)
	fs.IntVar(&c.last, "last", 0, "analyse only the newest `N` events (without --since/--from: of all history)")
	fs.StringVar(&c.pids, "pid", "", "only these processes: `PID[,PID…]`")
	fs.BoolVar(&c.chains, "chains", false, "show the causal chains trace stored while recording, without analysing again")
	fs.BoolVar(&c.json, "json", false, "print JSON (docs/json.md) instead of text")
	fs.BoolVar(&c.perProcess, "per-process", false, "show p50/p95/p99 of every GPU API op per process, and multi-process contention")
	fs.BoolVar(&c.annotations, "annotations", false, "show the labels of the annotations that cover each chain")
	fs.BoolVar(&c.byRequest, "by-request", false, "per-request summary: request spans (annotations with a request_id), longest first, with the events and GPU API time inside")
	c.fleet.Register(fs)
	return &ffcli.Command{
		Name:       "explain",
		ShortUsage: "ingero explain [flags]",
		ShortHelp:  "Explain recorded events: causal chains, root causes and fixes",
		LongHelp: "Analyses the last 5 minutes of the recording (--since/--from/--to, --last) and\n" +
			"prints an incident report: each causal chain with its severity, a timeline\n" +
			"across the SYSTEM, HOST, CUDA and DRIVER layers, the root cause and a fix.\n" +
			"Relative times count back from now; for a recording made elsewhere, pass\n" +
			"--from/--to or a --since that reaches back to it.",
		FlagSet: fs,
		Exec:    c.exec,
	}
}

func (c *config) exec(ctx context.Context, args []string) error {
	plan, err := c.fleet.Resolve(c.db != "")
	if err != nil {
		return err
	}
	if plan != nil {
		return c.runFleet(ctx, plan, args)
	}
	req, err := c.request(args)
	if err != nil {
		return err
	}
	rec, err := recording.OpenSource(c.db)
	if err != nil {
		return err
	}
	defer rec.Close()
	for _, w := range rec.Warnings {
		fmt.Fprintf(c.stdio.Err, "ingero explain: warning: %s\n", w)
	}
	if c.byRequest {
		return c.byRequestReport(ctx, rec.Source, req)
	}
	var rep *causal.Report
	if c.chains {
		rep, err = storedChains(ctx, rec.Source, req.opts)
	} else {
		rep, err = c.analyze(ctx, rec.Source, req.opts)
	}
	if err != nil {
		return err
	}
	if err := nameCallSites(ctx, rec.Source, rep); err != nil {
		return err
	}
	v := &view{rep: rep, req: req, loc: c.loc, stored: c.chains}
	if c.annotations {
		if v.labels, v.hits, err = chainLabels(rec.Source, rep.Chains); err != nil {
			return err
		}
	}
	if rep.Events == 0 && !c.json {
		v.hint, err = emptyHint(rec.Source, req)
		if err != nil {
			return err
		}
	}
	return c.render(v)
}

func (c *config) render(v *view) error {
	switch {
	case c.json && c.perProcess:
		return writePerProcessJSON(c.stdio.Out, v)
	case c.json:
		return writeReportJSON(c.stdio.Out, v)
	case c.perProcess:
		return writeText(c.stdio.Out, v, true)
	}
	return writeText(c.stdio.Out, v, false)
}
