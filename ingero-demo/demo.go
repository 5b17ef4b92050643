// Package demo builds the `ingero demo` command: scenarios that plant a
// known GPU slowdown, record it through the same code trace uses (live
// statistics, the store) and end with the explain report that must name
// the planted cause.
package demo

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
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
	mode   mode
	python string
	json   bool
	now    func() time.Time
	runner func(ctx context.Context, args []string) (string, error) // runs explain
	host   host
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	c := &config{stdio: stdio, now: time.Now, runner: runExplain, host: realHost(), mode: modeAuto}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	cli.DBFlagHelp(fs, &c.db, "record to this new database; with several scenarios each adds its name before the extension (default: a temporary one)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the synthetic scenarios (the same seed gives the same events)")
	fs.DurationVar(&c.span, "span", 0, "length of each scenario's recording (default 10s traced, 30s synthetic)")
	fs.Var(&c.mode, "mode", "auto (the best this host allows), synthetic, standin (real tracing of a stand-in CUDA library) or gpu (real tracing of PyTorch)")
	fs.BoolVar(&c.noGPU, "no-gpu", false, "synthetic mode: generate the events instead of tracing a workload (--mode synthetic)")
	fs.StringVar(&c.python, "python", "", "the Python with PyTorch for the gpu mode (default $INGERO_PYTHON, else python3)")
	fs.BoolVar(&c.json, "json", false, "print the scenario's events as NDJSON instead of the report")
	return &ffcli.Command{
		Name:       "demo",
		ShortUsage: "ingero demo [flags] [scenario]",
		ShortHelp:  "Run scenarios that plant a GPU slowdown and explain it",
		LongHelp: "Scenarios, run in this order without an argument:\n  " +
			strings.Join(describe(), "\n  ") + "\n\n" +
			"Each is recorded to a database (a temporary one unless -d) and ends with\n" +
			"the report of 'ingero explain', which names the planted cause.\n\n" +
			"As root on a kernel with BTF, the scenarios run for real under 'ingero trace':\n" +
			"PyTorch on the GPU when there is one, else a stand-in CUDA library built\n" +
			"with gcc; the plants are real processes (a CPU hog pinned to the training\n" +
			"loop's CPU, a second GPU process). Otherwise the events are generated\n" +
			"(synthetic mode). The first line of the output says which mode runs.",
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
	if c.span != 0 && (c.span < 5*time.Second || c.span > time.Hour) {
		return cli.Usagef("--span %v: between 5s and 1h", c.span)
	}
	sel, err := c.choose(ctx)
	if err != nil {
		return err
	}
	if c.span == 0 {
		c.span = 30 * time.Second
		if sel.mode != modeSynthetic {
			c.span = 10 * time.Second
		}
	}
	run, done, err := c.prepare(sel)
	if err != nil {
		return err
	}
	defer done()
	for i, s := range list {
		if err := run(ctx, s, i, len(list)); err != nil {
			if ctx.Err() != nil {
				kept := ""
				if c.db != "" {
					kept = "; what was recorded is kept under " + c.db
				}
				return fmt.Errorf("interrupted in scenario %s%s", s.Name, kept)
			}
			return fmt.Errorf("scenario %s: %w", s.Name, err)
		}
	}
	return nil
}

// prepare says which mode runs and returns what plays one scenario in it.
func (c *config) prepare(sel selection) (func(context.Context, scenario.Scenario, int, int) error, func(), error) {
	say := c.narration()
	if sel.mode == modeSynthetic {
		fmt.Fprintf(say, "ingero demo: synthetic mode (%s): events are generated with realistic timing\n", sel.why)
		fmt.Fprintln(say, "and go through the same statistics, store and causal engine as a real trace.")
		return func(ctx context.Context, s scenario.Scenario, i, n int) error {
			if !c.json {
				c.announce(s, i, n)
			}
			return c.runSynthetic(ctx, s, n)
		}, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "ingero-demo-kit-")
	if err != nil {
		return nil, nil, fmt.Errorf("preparing the real mode: %w", err)
	}
	ckpt, err := checkpointDir(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("preparing the real mode: %w", err)
	}
	done := func() { os.RemoveAll(dir); os.RemoveAll(ckpt) }
	var k kit
	if sel.mode == modeGPU {
		k, err = newTorchKit(dir, ckpt, sel.python, sel.model)
	} else {
		k, err = newStandinKit(dir, ckpt)
	}
	if err != nil {
		done()
		return nil, nil, err
	}
	fmt.Fprintf(say, "ingero demo: real mode: %s.\n", k.describe())
	if sel.why != "" {
		fmt.Fprintf(say, "(not the GPU mode: %s)\n", sel.why)
	}
	fmt.Fprintln(say, "Each plant is a real process; ingero trace records, ingero explain reports.")
	return func(ctx context.Context, s scenario.Scenario, i, n int) error {
		return c.runReal(ctx, k, s, i, n)
	}, done, nil
}

// narration is where the demo tells what it does: stdout, or stderr when
// stdout carries NDJSON.
func (c *config) narration() io.Writer {
	if c.json {
		return c.stdio.Err
	}
	return c.stdio.Out
}

// announce heads scenario i of n.
func (c *config) announce(s scenario.Scenario, i, n int) {
	fmt.Fprintf(c.narration(), "\n== [%d/%d] %s: %s\n", i+1, n, s.Name, s.Description)
}
