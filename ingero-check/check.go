// Package check builds the `ingero check` command: is this host ready for
// eBPF GPU tracing, and if not, what to do about it.
package check

import (
	"context"
	"errors"
	"flag"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

// New builds the command.
func New(stdio cli.Stdio) *ffcli.Command {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the checks as a JSON list of {name, ok, level, detail, hint}")
	return &ffcli.Command{
		Name:       "check",
		ShortUsage: "ingero check [--json]",
		ShortHelp:  "Check that this host is ready for eBPF GPU tracing",
		LongHelp: "One line per check ([✓] pass, [!] worth knowing, [✗] failed) with a hint\n" +
			"for each problem. Exit 0 when ready to trace, 1 otherwise. Runs unprivileged;\n" +
			"as root it also loads test eBPF programs.",
		FlagSet: fs,
		Exec: func(_ context.Context, args []string) error {
			if len(args) > 0 {
				return cli.Usagef("unexpected argument %q", args[0])
			}
			return report(hostEnv(), *asJSON, stdio)
		},
	}
}

func report(e *env, asJSON bool, stdio cli.Stdio) error {
	rs := e.run()
	if asJSON {
		if err := writeJSON(stdio.Out, rs); err != nil {
			return err
		}
	} else {
		writeText(stdio.Out, rs)
	}
	if failed(rs) {
		// The report already said why; exit 1 without repeating it.
		return &cli.ExitError{Code: cli.ExitRuntime, Err: errors.New("")}
	}
	return nil
}

// run performs every check in the order a reader fixes problems: the
// kernel first, then privileges and eBPF, then the GPU side.
func (e *env) run() []Result {
	rs := []Result{e.kernel(), e.btf(), e.privileges(), e.ebpfUsable(), e.tracefs(), e.kprobes()}
	snap, scanErr := e.scan()
	rs = append(rs, e.uretprobe(snap), e.ptraceScope())
	rs = append(rs, e.nvidia()...)
	rs = append(rs, e.libraries(snap)...)
	return append(rs, e.processes(snap, scanErr))
}
