package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
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
		if filepath.Base(self) == "ingero" || multiplexes(self, name) {
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

// multiplexes says whether the binary at self is the ingero multiplexer
// with the command name, whatever its file is called (a copy named
// myingero): it is asked, as `self help` lists the commands. The
// standalone ingero-demo takes "help" for an unknown scenario and fails.
func multiplexes(self, name string) bool {
	if !dispatched(self) {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, self, "help").Output()
	if err != nil {
		return false
	}
	return strings.Contains(string(out), "\nCommands:\n") && strings.Contains(string(out), "\n  "+name+" ")
}

// dispatched says whether this process looks started by a multiplexer
// under another name: as `<any> demo …`, or through a link named
// (ingero-)demo to a binary that is not ingero-demo. Only then is self
// worth asking; anything else (a test binary above all, which would run
// its tests on `help`) is never run.
func dispatched(self string) bool {
	if len(os.Args) > 1 && os.Args[1] == "demo" {
		return true
	}
	if len(os.Args) == 0 {
		return false
	}
	arg0, bin := filepath.Base(os.Args[0]), filepath.Base(self)
	return (arg0 == "demo" || arg0 == "ingero-demo") && bin != "ingero-demo" && bin != arg0
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
