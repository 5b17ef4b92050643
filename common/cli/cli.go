// Package cli is the glue every ingero binary shares: standard streams,
// exit codes, flag conventions and the build's version stamp.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/peterbourgon/ff/v3/ffcli"
)

// Exit codes shared by every command.
const (
	ExitOK      = 0
	ExitRuntime = 1 // the command ran and failed, or found a problem
	ExitUsage   = 2 // the command line was wrong
)

// Stdio is the set of streams a command talks through, so tests can
// capture them and the multiplexer can hand them down.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// OSStdio returns the process's own streams.
func OSStdio() Stdio { return Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }

// Constructor builds one subcommand. Every module exports one.
type Constructor func(Stdio) *ffcli.Command

// UsageError marks an error as the user's command line being wrong, which
// maps to exit code 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitError carries a specific exit code for a failure that has already
// been reported to the user (a failed readiness check, say).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Main runs one command as a standalone binary and returns its exit code.
// It answers --version itself so every ingero-* binary has it.
func Main(newCmd Constructor, args []string) int {
	return Run(newCmd(OSStdio()), args, OSStdio())
}

// Run parses args for cmd, runs it under a context cancelled by SIGINT or
// SIGTERM, and maps the outcome to an exit code, printing one line for
// usage errors. The program name in messages is "ingero <name>".
func Run(cmd *ffcli.Command, args []string, stdio Stdio) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		fmt.Fprintln(stdio.Out, VersionString())
		return ExitOK
	}
	prog := "ingero " + cmd.Name
	if cmd.FlagSet == nil {
		cmd.FlagSet = flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	}
	// The flag package would print its own message and the whole usage on
	// a bad flag; we print one line instead, and usage only on --help.
	cmd.FlagSet.SetOutput(io.Discard)
	if cmd.UsageFunc == nil {
		cmd.UsageFunc = usage
	}
	err := cmd.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdio.Out, cmd.UsageFunc(cmd))
		return ExitOK
	}
	if err != nil {
		// ff wraps flag errors in "error parsing commandline arguments";
		// the flag package's own message is the useful part.
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		fmt.Fprintf(stdio.Err, "%s: %s (see '%s --help')\n", prog, firstLine(err), prog)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return report(prog, cmd.Run(ctx), stdio)
}

func report(prog string, err error, stdio Stdio) int {
	var ue *UsageError
	var ee *ExitError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stdio.Err, "%s: %s (see '%s --help')\n", prog, firstLine(err), prog)
		return ExitUsage
	case errors.As(err, &ee):
		if ee.Err != nil && ee.Err.Error() != "" {
			fmt.Fprintf(stdio.Err, "%s: %s\n", prog, ee.Err)
		}
		return ee.Code
	default:
		fmt.Fprintf(stdio.Err, "%s: %s\n", prog, err)
		return ExitRuntime
	}
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func usage(c *ffcli.Command) string {
	s := ffcli.DefaultUsageFunc(c)
	return strings.TrimRight(s, "\n")
}
