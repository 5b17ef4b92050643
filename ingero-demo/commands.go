package demo

import (
	"context"
	"fmt"
	"os/exec"

	"ingero.dev/common/cli"
)

// runExplain runs `ingero explain` as a process on the demo's database:
// commands never import each other, and this way the demo shows exactly
// what a user's own explain prints.
func runExplain(ctx context.Context, args []string) (string, error) {
	bin, pre, err := findCommand("explain")
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, bin, append(pre, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("running %s: %w", bin, err)
	}
	return string(out), nil
}

// findCommand looks for the ingero command name (explain, trace) the way
// every command finds a sibling (cli.Siblings): $INGERO_<NAME>, this very
// binary when it is the multiplexer under any file name, beside this
// binary, then on $PATH. It returns the program and the arguments that
// select the command.
func findCommand(name string) (string, []string, error) {
	argv, err := cli.Siblings{Self: "demo"}.Find(name)
	if err != nil {
		return "", nil, fmt.Errorf("%w: run the demo as 'ingero demo'", err)
	}
	return argv[0], argv[1:], nil
}
