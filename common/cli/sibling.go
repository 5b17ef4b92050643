package cli

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

// ErrNoCommand is wrapped when a sibling command cannot be found.
var ErrNoCommand = errors.New("not found")

// Siblings finds another ingero command to run as a process: commands
// never import each other, so demo runs trace and explain, and mcp runs
// check and demo, as programs. The zero value looks at this process.
type Siblings struct {
	// Self is the running command's name ("demo", "mcp"): it tells
	// whether this process was started by a multiplexer under another
	// file name, which is then worth asking for its commands.
	Self string
	// Executable and LookPath default to os.Executable and exec.LookPath;
	// Args to os.Args. Tests replace them.
	Executable func() (string, error)
	LookPath   func(string) (string, error)
	Args       []string
}

// Find returns the argv prefix that runs command name, looking at
// $INGERO_<NAME>, then this binary when it is the multiplexer (whatever
// its file is called), then ingero-<name> or ingero beside this binary,
// then either on $PATH.
func (s Siblings) Find(name string) ([]string, error) {
	if p := os.Getenv("INGERO_" + strings.ToUpper(name)); p != "" {
		return []string{p}, nil
	}
	executable, lookPath := s.Executable, s.LookPath
	if executable == nil {
		executable = os.Executable
	}
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	where := "this binary"
	if self, err := executable(); err == nil {
		where = self
		if filepath.Base(self) == "ingero" || s.dispatched(self) && multiplexes(self, name) {
			return []string{self, name}, nil
		}
		for _, b := range []string{"ingero-" + name, "ingero"} {
			if p := filepath.Join(filepath.Dir(self), b); isExec(p) {
				return commandArgv(p, name), nil
			}
		}
	}
	for _, b := range []string{"ingero-" + name, "ingero"} {
		if p, err := lookPath(b); err == nil {
			return commandArgv(p, name), nil
		}
	}
	return nil, fmt.Errorf("'ingero %s' %w: neither ingero-%s nor ingero is beside %s or on $PATH (or set $INGERO_%s)",
		name, ErrNoCommand, name, where, strings.ToUpper(name))
}

func commandArgv(path, name string) []string {
	if filepath.Base(path) == "ingero" {
		return []string{path, name}
	}
	return []string{path}
}

// dispatched says whether this process looks started by a multiplexer
// under another name: as `<any> self …`, or through a link named
// (ingero-)self to a binary that is not ingero-self. Only then is self
// worth asking; anything else (a test binary above all, which would run
// its tests on `help`) is never run.
func (s Siblings) dispatched(self string) bool {
	args := s.Args
	if args == nil {
		args = os.Args
	}
	if s.Self == "" || len(args) == 0 {
		return false
	}
	if len(args) > 1 && args[1] == s.Self {
		return true
	}
	arg0, bin := filepath.Base(args[0]), filepath.Base(self)
	return (arg0 == s.Self || arg0 == "ingero-"+s.Self) && bin != "ingero-"+s.Self && bin != arg0
}

// multiplexes says whether the binary at self is the ingero multiplexer
// with the command name: it is asked, as `self help` lists the commands.
func multiplexes(self, name string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, self, "help").Output()
	if err != nil {
		return false
	}
	return strings.Contains(string(out), "\nCommands:\n") && strings.Contains(string(out), "\n  "+name+" ")
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
