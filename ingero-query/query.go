// Package query builds the `ingero query` command: recorded events by
// time, process and op as a table or as trace's NDJSON, or one read-only
// SQL statement over the recording.
package query

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
	"ingero.dev/common/fleet"
	"ingero.dev/common/recording"
	"ingero.dev/common/timerange"
)

// Defaults, documented in the help text and docs/cli.md.
const (
	defaultSince   = time.Hour
	defaultLimit   = 1000
	defaultMaxRows = 10000
	defaultTimeout = 30 * time.Second
)

type config struct {
	stdio       cli.Stdio
	db          string
	window      timerange.Window
	pids, ops   string
	json        bool
	annotations bool
	limit       int
	maxRows     int
	timeout     time.Duration
	fleet       fleet.Flags
	byRequest   bool
	stacks      bool
	fs          *flag.FlagSet

	// now and loc are the clock and the zone of the table's times; tests
	// fix them so that outputs are byte-for-byte stable.
	now func() time.Time
	loc *time.Location
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	return newCommand(&config{stdio: stdio, now: time.Now, loc: time.Local})
}

func newCommand(c *config) *ffcli.Command {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	c.fs = fs
	cli.DBFlag(fs, &c.db)
	c.window.Register(fs, defaultSince)
	fs.StringVar(&c.pids, "pid", "", "only these processes: `PID[,PID…]`")
	fs.StringVar(&c.ops, "op", "", "only these ops: `NAME[,NAME…]` (cudaMemcpy, cuLaunchKernel, sched_switch; aliases such as cudaStreamSync)")
	fs.BoolVar(&c.json, "json", false, "print NDJSON: events in the fields of 'ingero trace --json', SQL rows as one object each")
	fs.BoolVar(&c.annotations, "annotations", false, "join the labels of the annotations that cover each event")
	fs.IntVar(&c.limit, "limit", defaultLimit, "show at most the newest `N` events (0: all)")
	fs.IntVar(&c.maxRows, "max-rows", defaultMaxRows, "SQL: stop after `N` rows (0: no cap)")
	timerange.DurationVar(fs, &c.timeout, "timeout", defaultTimeout, "stop after `DURATION` (0: no limit)")
	c.fleet.Register(fs)
	fs.BoolVar(&c.stacks, "stacks", false, "rank the call sites of the matching events (Python line or source line of 'trace --stack'), most time first; --limit caps the rows")
	fs.BoolVar(&c.byRequest, "by-request", false, "append a per-request summary of the window: request spans, longest first, with the events and GPU API time inside")
	return &ffcli.Command{
		Name:       "query",
		ShortUsage: "ingero query [flags] [SQL]",
		ShortHelp:  "Query recorded events, or run read-only SQL",
		LongHelp: "Without SQL, prints the events of the last hour (--since/--from/--to) that match\n" +
			"--pid and --op: the newest --limit of them, oldest first, then a line saying how\n" +
			"many matched. With --json the lines are those of 'ingero trace --json'.\n\n" +
			"With one SQL statement, runs it on a read-only connection that has the\n" +
			"'events' table (docs/schema.md) and prints its rows; statements that would\n" +
			"change the recording are refused. Example:\n\n" +
			"  ingero query \"SELECT op_name, count(*), max(duration_ns) FROM events GROUP BY 1\"",
		FlagSet: fs,
		Exec:    c.exec,
	}
}

func (c *config) exec(ctx context.Context, args []string) error {
	if err := c.check(args); err != nil {
		return err
	}
	plan, err := c.fleet.Resolve(c.dbSet())
	if err != nil {
		return err
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	if plan != nil {
		err = c.runFleet(ctx, plan, args)
	} else {
		err = c.runLocal(ctx, args)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("stopped after --timeout %s; narrow the statement or the window (WHERE timestamp >= …, LIMIT, --since, --pid) or raise --timeout", timerange.FormatDuration(c.timeout))
	case errors.Is(err, context.Canceled):
		return errors.New("interrupted")
	}
	return err
}

func (c *config) runLocal(ctx context.Context, args []string) error {
	rec, err := recording.OpenSource(c.db)
	if err != nil {
		return err
	}
	defer rec.Close()
	for _, w := range rec.Warnings {
		fmt.Fprintf(c.stdio.Err, "ingero query: warning: %s\n", w)
	}
	if len(args) == 1 {
		return c.runSQL(ctx, rec, args[0])
	}
	// One clock reading, so that the events and the summary cover the
	// same window.
	now := c.now()
	c.now = func() time.Time { return now }
	if c.stacks {
		err = c.listCallSites(ctx, rec)
	} else {
		err = c.listEvents(ctx, rec)
	}
	if err == nil && c.byRequest {
		err = c.appendByRequest(ctx, rec)
	}
	return err
}
