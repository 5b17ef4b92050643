package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// findCommand looks for the ingero command name (explain, trace) as
// $INGERO_<NAME>, as this very binary when it is the multiplexer, beside
// this binary, then on $PATH; it returns the program and the arguments
// that select the command.
func findCommand(name string) (string, []string, error) {
	if p := os.Getenv("INGERO_" + strings.ToUpper(name)); p != "" {
		return p, nil, nil
	}
	self, err := os.Executable()
	if err == nil {
		if filepath.Base(self) == "ingero" {
			return self, []string{name}, nil
		}
		if p := filepath.Join(filepath.Dir(self), "ingero-"+name); isExec(p) {
			return p, nil, nil
		}
	}
	if p, err := exec.LookPath("ingero-" + name); err == nil {
		return p, nil, nil
	}
	if p, err := exec.LookPath("ingero"); err == nil {
		return p, []string{name}, nil
	}
	return "", nil, errors.New("ingero " + name + " not found: run the demo as 'ingero demo', or put ingero-" + name +
		" beside ingero-demo or on $PATH")
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
