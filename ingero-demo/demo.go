// Package demo builds the `ingero demo` command: scenarios that plant a
// known GPU slowdown, record it through the same code trace uses (live
// statistics, the store) and end with the explain report that must name
// the planted cause.
package demo

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
	"ingero.dev/ingero-demo/internal/scenario"
)

type config struct {
	stdio  cli.Stdio
	db     string
	seed   uint64
	span   time.Duration
	noGPU  bool
	json   bool
	now    func() time.Time
	runner func(ctx context.Context, args []string) (string, error) // runs explain
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	c := &config{stdio: stdio, now: time.Now, runner: runExplain}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	cli.DBFlag(fs, &c.db)
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the synthetic scenarios (the same seed gives the same events)")
	fs.DurationVar(&c.span, "span", 30*time.Second, "length of each scenario's recording")
	fs.BoolVar(&c.noGPU, "no-gpu", false, "synthetic mode: generate the events instead of tracing a workload")
	fs.BoolVar(&c.json, "json", false, "print the scenario's events as NDJSON instead of the report")
	return &ffcli.Command{
		Name:       "demo",
		ShortUsage: "ingero demo [flags] [scenario]",
		ShortHelp:  "Run scenarios that plant a GPU slowdown and explain it",
		LongHelp: "Scenarios, run in this order without an argument:\n  " +
			strings.Join(describe(), "\n  ") + "\n\n" +
			"Each is recorded to a database (a temporary one unless -d) and ends with\n" +
			"the report of 'ingero explain', which names the planted cause.",
		FlagSet: fs,
		Exec:    c.exec,
	}
}

func describe() []string {
	var out []string
	for _, s := range scenario.All() {
		out = append(out, fmt.Sprintf("%-18s %s", s.Name, s.Description))
	}
	return out
}

func (c *config) exec(ctx context.Context, args []string) error {
	list := scenario.All()
	if len(args) > 1 {
		return cli.Usagef("one scenario at a time (got %d)", len(args))
	}
	if len(args) == 1 {
		s, ok := scenario.Find(args[0])
		if !ok {
			msg := fmt.Sprintf("unknown scenario %q (scenarios: %s)", args[0], strings.Join(scenario.Names(), ", "))
			if near := cli.Closest(args[0], scenario.Names()); near != "" {
				msg = fmt.Sprintf("unknown scenario %q; did you mean %q?", args[0], near)
			}
			return cli.Usagef("%s", msg)
		}
		list = []scenario.Scenario{s}
	}
	if c.span < 5*time.Second || c.span > time.Hour {
		return cli.Usagef("--span %v: between 5s and 1h", c.span)
	}
	if !c.json {
		fmt.Fprintln(c.stdio.Out, "ingero demo: synthetic mode: events are generated with realistic timing and go through")
		fmt.Fprintln(c.stdio.Out, "the same statistics, store and causal engine as a real trace.")
	}
	for i, s := range list {
		if err := c.runScenario(ctx, s, i, len(list)); err != nil {
			return fmt.Errorf("scenario %s: %w", s.Name, err)
		}
	}
	return nil
}
