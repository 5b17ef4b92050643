// Package export builds the `ingero export` command: a recording as a
// timeline for Perfetto (native protobuf) or for any Trace Event Format
// reader (chrome://tracing, DevTools, Perfetto's JSON importer).
package export

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
	"ingero.dev/common/fleet"
	"ingero.dev/common/timerange"
)

type config struct {
	stdio  cli.Stdio
	db     string
	out    string
	format string
	gzip   bool
	pids   string
	fleet  fleet.Flags
	// nodeEvents caps the events fetched from each node with --nodes.
	nodeEvents int
	chains     string
	window     timerange.Window
	fs         *flag.FlagSet
	now        func() time.Time
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	c := &config{stdio: stdio, now: time.Now}
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	c.fs = fs
	cli.DBFlag(fs, &c.db)
	fs.StringVar(&c.out, "o", "", "write the trace to `FILE` (- for standard output)")
	fs.StringVar(&c.out, "output", "", "same as -o `FILE`")
	fs.StringVar(&c.format, "format", "", "perfetto (native protobuf) or chrome-json (Trace Event Format); default: chrome-json for a .json or .json.gz FILE, else perfetto")
	fs.BoolVar(&c.gzip, "gzip", false, "compress with gzip (implied by a .gz FILE)")
	fs.StringVar(&c.pids, "pid", "", "only these processes: `PID[,PID…]`")
	c.fleet.Register(fs)
	fs.IntVar(&c.nodeEvents, "node-events", defaultNodeEvents, "with --nodes: the newest `N` events of each node's window (the dashboard allows up to 1000000)")
	fs.StringVar(&c.chains, "chains", chainsAuto, "causal chains to mark: auto (stored ones, else found by analysing the window), stored, analyze or none")
	c.window.Register(fs, 0)
	return &ffcli.Command{
		Name:       "export",
		ShortUsage: "ingero export -d RECORDING -o FILE [--format perfetto|chrome-json] [--since 5m] [--pid N]",
		ShortHelp:  "Export a recording as a Perfetto / Chrome trace timeline",
		LongHelp: "Writes the recording as a timeline: one process track per node and process, a\n" +
			"thread track per thread with its CUDA, driver, NCCL, IO and network calls as\n" +
			"slices (args attached), off-CPU intervals naming the task that preempted it,\n" +
			"arrows from a kernel launch to the sync that waited for it, causal chains as\n" +
			"instants by severity, and the host's CPU, memory and load as counters.\n" +
			"Open it at ui.perfetto.dev (either format) or chrome://tracing (JSON).\n" +
			"Without --since/--from/--to the whole recording is exported; relative times\n" +
			"count back from the recording's newest event, not from now.",
		FlagSet: fs,
		Exec:    c.exec,
	}
}

func (c *config) exec(ctx context.Context, args []string) error {
	plan, err := c.fleet.Resolve(c.db != "")
	if err != nil {
		return err
	}
	req, err := c.request(args)
	if err != nil {
		return err
	}
	if plan != nil {
		cleanup, err := c.fetchFleet(ctx, plan, req)
		if err != nil {
			return err
		}
		defer cleanup()
	}
	st, err := run(ctx, req, c.stdio)
	if err != nil {
		return err
	}
	if st.slices+st.instants+st.counters == 0 {
		fmt.Fprintf(c.stdio.Err, "ingero export: warning: the trace is empty: no events, chains, annotations or snapshots%s%s\n", req.pidNote(), req.windowNote())
	}
	if req.out != "-" {
		fmt.Fprintf(c.stdio.Out, "wrote %s (%s%s): %d tracks, %d slices, %d instants, %d counter values, %d launch→sync arrows\n",
			req.out, req.format, gzNote(req.gzip), st.tracks, st.slices, st.instants, st.counters, st.flows)
	}
	return nil
}

func gzNote(gz bool) string {
	if gz {
		return ", gzip"
	}
	return ""
}
