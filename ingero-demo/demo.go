// Package demo builds the `ingero demo` command.
//
// The planted-cause scenarios arrive with issue #5. Until then the demo
// exercises the recording contract end to end on sample data: it writes a
// synthetic training loop to both a SQLite database and a stream file,
// reads both back through the same loader every read-only command uses,
// checks that they agree event for event, and reports what it measured.
package demo

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

type config struct {
	stdio cli.Stdio
	db    string
	steps int
	seed  uint64
	noGPU bool
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	c := &config{stdio: stdio}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	cli.DBFlag(fs, &c.db)
	fs.IntVar(&c.steps, "steps", 3000, "training steps of sample data to generate")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the sample data")
	fs.BoolVar(&c.noGPU, "no-gpu", false, "synthetic mode (the only mode of this build)")
	return &ffcli.Command{
		Name:       "demo",
		ShortUsage: "ingero demo [flags] [scenario]",
		ShortHelp:  "Run scenarios that plant a GPU slowdown and explain it",
		LongHelp: "This build runs the stream/store round trip on sample data: a synthetic\n" +
			"PyTorch-style training loop is recorded to a database and a stream file,\n" +
			"read back, and checked event for event. The planted-cause scenarios\n" +
			"(incident, cpu-contention, …) arrive with issue #5.",
		FlagSet: fs,
		Exec:    c.exec,
	}
}

func (c *config) exec(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("scenario %q: scenarios are %w in this build (roadmap: issue #5); run 'ingero demo' for the recording round trip", args[0], cli.ErrNotAvailable)
	}
	if c.steps <= 0 {
		return cli.Usagef("--steps must be positive, got %d", c.steps)
	}
	dir, dbFile, cleanup, err := c.paths()
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintln(c.stdio.Out, "ingero demo: the planted-cause scenarios arrive with issue #5; this build runs")
	fmt.Fprintln(c.stdio.Out, "the stream/store round trip on sample data (a synthetic PyTorch-style training loop).")
	fmt.Fprintln(c.stdio.Out)
	res, err := roundTrip(ctx, c.seed, c.steps, dbFile, filepath.Join(dir, "demo.stream"))
	if err != nil {
		return err
	}
	res.print(c.stdio.Out)
	return nil
}

// paths returns where the demo writes: next to -d when given (kept), else a
// temporary directory (removed).
func (c *config) paths() (dir, dbFile string, cleanup func(), err error) {
	if c.db != "" {
		dir = filepath.Dir(c.db)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", "", nil, fmt.Errorf("creating %s: %w", dir, err)
		}
		if _, err := os.Stat(c.db); err == nil {
			return "", "", nil, cli.Usagef("%s already exists; the demo writes a fresh database: pass a new path with -d", c.db)
		}
		return dir, c.db, func() {}, nil
	}
	dir, err = os.MkdirTemp("", "ingero-demo-")
	if err != nil {
		return "", "", nil, fmt.Errorf("creating a temporary directory: %w", err)
	}
	return dir, filepath.Join(dir, "demo.db"), func() { os.RemoveAll(dir) }, nil
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }
