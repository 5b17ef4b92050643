// Package annotate builds the `ingero annotate` command: it sends one
// annotation to a running `ingero trace` (a point, such as step=1234), or
// wraps a command in a request span, for scripts that cannot link the Go
// or Python emitter (docs/annotations.md).
package annotate

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/annotate/emit"
	"ingero.dev/common/cli"
)

type config struct {
	stdio     cli.Stdio
	socket    string
	pid       int64
	requestID string
}

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	c := &config{stdio: stdio}
	fs := flag.NewFlagSet("annotate", flag.ContinueOnError)
	fs.StringVar(&c.socket, "socket", emit.SocketPath(), "the annotation socket of the running trace (its --annotate-socket; default $INGERO_ANNOTATE_SOCKET, else "+emit.DefaultSocket+")")
	fs.Int64Var(&c.pid, "pid", 0, "label the events of this process (0: every traced process); not with a COMMAND, whose own events a span labels")
	fs.StringVar(&c.requestID, "request-id", "", "with a COMMAND: the request_id of the span around it; alone: a label of the point")
	return &ffcli.Command{
		Name:       "annotate",
		ShortUsage: "ingero annotate [flags] LABEL=VALUE... [--] [COMMAND [ARGS...]]",
		ShortHelp:  "Send an annotation (a step, a request span) to the running trace",
		LongHelp: "Without a COMMAND, sends a point: its labels hold for the events that follow,\n" +
			"until the next point (ingero annotate step=1234 epoch=3).\n" +
			"With a COMMAND (the first argument without '=', or all after '--'), runs it\n" +
			"and records a span over its run, labelling its events (ingero annotate\n" +
			"--request-id batch-7 -- python infer.py); exits with the command's status.\n" +
			"Each line carries the time it is sent; trace bounds it and stamps the\n" +
			"sender itself (docs/annotations.md).",
		FlagSet: fs,
		Exec: func(ctx context.Context, args []string) error {
			labels, command, err := splitArgs(args)
			if err != nil {
				return err
			}
			set := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
			if len(command) > 0 {
				if set["pid"] {
					return cli.Usagef("--pid does not apply with a COMMAND: the span labels the command's own events")
				}
				if c.requestID == "" {
					return cli.Usagef("a span around %s needs --request-id ID", command[0])
				}
				return c.span(ctx, labels, command)
			}
			if len(labels) == 0 && c.requestID == "" {
				return cli.Usagef("give at least one LABEL=VALUE (e.g. step=1234), or --request-id ID -- COMMAND")
			}
			if c.pid < 0 || c.pid > 1<<32-1 {
				return cli.Usagef("--pid %d: give a process ID, or 0 for every traced process", c.pid)
			}
			return c.point(labels)
		},
	}
}

// splitArgs reads LABEL=VALUE arguments up to the first that is not one,
// or up to "--"; the rest is the command, as env(1) reads its arguments.
func splitArgs(args []string) (map[string]string, []string, error) {
	labels := map[string]string{}
	for i, a := range args {
		if a == "--" {
			return labels, args[i+1:], nil
		}
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return labels, args[i:], nil
		}
		if k == "" || len(k) > emit.MaxKeyBytes || len(v) > emit.MaxValueBytes {
			return nil, nil, cli.Usagef("label %q: give NAME=VALUE, the name 1 to %d bytes and the value at most %d", a, emit.MaxKeyBytes, emit.MaxValueBytes)
		}
		if _, dup := labels[k]; dup {
			return nil, nil, cli.Usagef("label %s is given twice", k)
		}
		labels[k] = v
	}
	if len(labels) > emit.MaxLabels {
		return nil, nil, cli.Usagef("%d labels: at most %d", len(labels), emit.MaxLabels)
	}
	return labels, nil, nil
}

func (c *config) point(labels map[string]string) error {
	cl, err := emit.Dial(c.socket)
	if err != nil {
		return err
	}
	defer cl.Close()
	pid := uint32(c.pid)
	return cl.Send(emit.Message{Kind: emit.KindPoint, RequestID: c.requestID, Labels: labels, PID: &pid})
}

// span runs the command between a begin and an end that label its PID.
// The socket is connected first, so that a trace that is not running
// stops the command from starting unlabelled.
func (c *config) span(ctx context.Context, labels map[string]string, command []string) error {
	cl, err := emit.Dial(c.socket)
	if err != nil {
		return err
	}
	defer cl.Close()
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.stdio.In, c.stdio.Out, c.stdio.Err
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", command[0], err)
	}
	cl.ForPID(uint32(cmd.Process.Pid))
	beginErr := cl.Begin(c.requestID, labels)
	runErr := cmd.Wait()
	endErr := cl.End(c.requestID)
	if err := errors.Join(beginErr, endErr); err != nil {
		fmt.Fprintf(c.stdio.Err, "ingero annotate: warning: %v\n", err)
	}
	var exit *exec.ExitError
	if errors.As(runErr, &exit) {
		return &cli.ExitError{Code: max(exit.ExitCode(), 1)}
	}
	if runErr != nil {
		return fmt.Errorf("running %s: %w", command[0], runErr)
	}
	return nil
}
