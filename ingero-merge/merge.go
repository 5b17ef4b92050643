// Package merge builds the `ingero merge` command: several recordings
// (databases or stream files, one per node or per run) become one
// database that every read-only command reads like a single recording.
package merge

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
	"ingero.dev/common/timerange"
)

const defaultSkewThreshold = 100 * time.Millisecond

type config struct {
	stdio         cli.Stdio
	out           string
	force         bool
	forceNode     string
	skewThreshold time.Duration
	nodes         string
	quiet         bool
	fs            *flag.FlagSet
	// progressEvery is how often progress is printed; tests shorten it.
	progressEvery time.Duration
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	return newCommand(&config{stdio: stdio, progressEvery: time.Second})
}

func newCommand(c *config) *ffcli.Command {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	c.fs = fs
	fs.StringVar(&c.out, "o", "", "write the merged database to `FILE` (required)")
	fs.StringVar(&c.out, "output", "", "same as -o `FILE`")
	fs.BoolVar(&c.force, "force", false, "replace the -o file if it exists")
	fs.StringVar(&c.forceNode, "force-node", "", "node `NAME` for inputs recorded without one")
	timerange.DurationVar(fs, &c.skewThreshold, "clock-skew-threshold", defaultSkewThreshold,
		"warn when two nodes' clocks seem to differ by more than this `DURATION`")
	fs.StringVar(&c.nodes, "nodes", "", "fetch from dashboards `HOST:PORT[,…]` (not in this build yet)")
	fs.BoolVar(&c.quiet, "quiet", false, "print no progress, only warnings and errors")
	return &ffcli.Command{
		Name:       "merge",
		ShortUsage: "ingero merge [flags] INPUT... -o OUT.db",
		ShortHelp:  "Merge recordings from several nodes into one database",
		LongHelp: "Merges databases and stream files (one per node, or several runs of one node)\n" +
			"into one database. Every event keeps its ID <node>:<seq> unless two inputs hold\n" +
			"the same node's IDs, in which case the later input's are renumbered (and said so).\n" +
			"Sessions, stacks (deduplicated), process names, snapshots, causal chains and\n" +
			"annotations are all carried. The inputs are only read, never changed.\n" +
			"Flags may come before or after the inputs.",
		FlagSet: fs,
		Exec:    c.exec,
	}
}

func (c *config) exec(ctx context.Context, args []string) error {
	inputs, err := c.parseRest(args)
	if err != nil {
		return err
	}
	req, err := c.check(inputs)
	if err != nil {
		return err
	}
	sum, err := run(ctx, req, c.stdio.Err)
	if err != nil {
		return err
	}
	sum.print(c.stdio.Out, req.out)
	return nil
}

// parseRest lets flags follow the inputs ("merge a.db b.db -o x.db"), which
// the flag package alone stops at.
func (c *config) parseRest(args []string) ([]string, error) {
	var inputs []string
	for len(args) > 0 {
		if args[0] == "--" {
			return append(inputs, args[1:]...), nil
		}
		if len(args[0]) > 1 && args[0][0] == '-' {
			if err := c.fs.Parse(args); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil, err
				}
				return nil, cli.Usagef("%w", err)
			}
			args = c.fs.Args()
			continue
		}
		inputs = append(inputs, args[0])
		args = args[1:]
	}
	return inputs, nil
}

func (c *config) check(inputs []string) (*request, error) {
	switch {
	case c.nodes != "":
		return nil, cli.Usagef("--nodes (fetching recordings from dashboards) is not in this build yet (issue #14, fleet fan-out); copy the nodes' databases here and merge the files")
	case c.out == "":
		return nil, cli.Usagef("name the merged database with -o FILE, such as: ingero merge a.db b.db -o cluster.db")
	case len(inputs) == 0:
		return nil, cli.Usagef("give the recordings to merge, such as: ingero merge a.db b.db -o cluster.db")
	case c.skewThreshold <= 0:
		return nil, cli.Usagef("--clock-skew-threshold must be above 0 (such as 100ms)")
	}
	return newRequest(inputs, c)
}

// summary is what a finished merge prints.
type summary struct {
	inputs int
	nodes  []nodeTotal
	events int64
	warns  int
}

type nodeTotal struct {
	name   string
	events int64
}

func (s *summary) print(w interface{ Write([]byte) (int, error) }, out string) {
	fmt.Fprintf(w, "merged %d recordings into %s: %d events from %d nodes\n", s.inputs, out, s.events, len(s.nodes))
	for _, n := range s.nodes {
		fmt.Fprintf(w, "  %-20s %d events\n", n.name, n.events)
	}
}
