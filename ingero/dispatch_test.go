package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"

	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

type result struct {
	code     int
	out, err string
}

func run(argv ...string) result {
	var out, errOut bytes.Buffer
	code := dispatch(argv, cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return result{code, out.String(), errOut.String()}
}

func commandNames() []string {
	var out []string
	for _, c := range commands {
		out = append(out, c.name)
	}
	return out
}

func discard() cli.Stdio {
	return cli.Stdio{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
}

// The registry must hold every command of the design card, each once.
func TestRegistryIsComplete(t *testing.T) {
	want := []string{"check", "trace", "annotate", "explain", "query", "mcp", "dashboard", "merge", "export", "demo"}
	seen := map[string]int{}
	for _, n := range commandNames() {
		seen[n]++
	}
	for _, n := range want {
		if seen[n] != 1 {
			t.Errorf("command %q registered %d times; want once", n, seen[n])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("registry has %v; want exactly %v", commandNames(), want)
	}
	for _, c := range commands {
		cmd := c.new(discard())
		if cmd.Name != c.name {
			t.Errorf("registry name %q builds a command named %q", c.name, cmd.Name)
		}
		if cmd.ShortHelp == "" || strings.Contains(cmd.ShortHelp, "\n") {
			t.Errorf("%s: one-line summary %q", c.name, cmd.ShortHelp)
		}
	}
}

func TestListsEveryCommand(t *testing.T) {
	for _, argv := range [][]string{
		{"ingero"},
		{"ingero", "help"},
		{"ingero", "--help"},
		{"ingero", "-h"},
		{"/usr/local/bin/ingero"},
	} {
		r := run(argv...)
		if r.code != cli.ExitOK || r.err != "" {
			t.Errorf("%q: exit %d, stderr %q", argv, r.code, r.err)
		}
		for _, c := range commands {
			summary := c.new(discard()).ShortHelp
			if !containsLine(r.out, c.name, summary) {
				t.Errorf("%q: no line listing %q with %q:\n%s", argv, c.name, summary, r.out)
			}
		}
		if !containsLine(r.out, "version") {
			t.Errorf("%q: version is not listed:\n%s", argv, r.out)
		}
	}
}

// containsLine reports whether one line of s has every part, in order.
func containsLine(s string, parts ...string) bool {
	for _, line := range strings.Split(s, "\n") {
		rest, ok := line, true
		for _, p := range parts {
			i := strings.Index(rest, p)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(p):]
		}
		if ok {
			return true
		}
	}
	return false
}

// hasFlagLine reports whether the help has a line documenting flag f
// ("-d", say), as ffcli writes them: "  -d FILE   help text".
func hasFlagLine(help, f string) bool {
	for _, line := range strings.Split(help, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, f); ok && (rest == "" || rest[0] == ' ' || rest[0] == '=' || rest[0] == '\t') {
			return true
		}
	}
	return false
}

// Every command answers --help, by every route, with its usage and every
// flag it defines, on stdout, with exit 0.
func TestEveryCommandHelp(t *testing.T) {
	for _, c := range commands {
		var flags []string
		c.new(discard()).FlagSet.VisitAll(func(f *flag.Flag) { flags = append(flags, "-"+f.Name) })
		usage := c.new(discard()).ShortUsage
		for _, argv := range [][]string{
			{"ingero", c.name, "--help"},
			{"ingero", c.name, "-h"},
			{"ingero", "help", c.name},
			{"/usr/bin/ingero-" + c.name, "--help"},
			{c.name, "--help"},
		} {
			r := run(argv...)
			if r.code != cli.ExitOK || r.err != "" {
				t.Errorf("%q: exit %d, stderr %q", argv, r.code, r.err)
			}
			if !strings.Contains(r.out, usage) {
				t.Errorf("%q: help lacks the usage line %q:\n%s", argv, usage, r.out)
			}
			for _, f := range flags {
				if !hasFlagLine(r.out, f) {
					t.Errorf("%q: help lacks flag %s:\n%s", argv, f, r.out)
				}
			}
		}
	}
}

// argv[0] wins over argv[1]: a symlink named after one command runs it
// even when its first argument names another command.
func TestArgv0BeatsArgv1(t *testing.T) {
	var got []string
	withCommand(t, "echo", func(cli.Stdio) *ffcli.Command {
		return &ffcli.Command{Name: "echo", Exec: func(_ context.Context, args []string) error {
			got = args
			return nil
		}}
	})
	for _, argv0 := range []string{"ingero-echo", "echo", "/usr/bin/ingero-echo", "./echo", "/usr/local/lib/ingero/ingero-echo"} {
		got = nil
		r := run(argv0, "explain", "--help")
		if r.code != cli.ExitOK || r.out != "" || strings.Join(got, " ") != "explain --help" {
			t.Errorf("%q explain --help: exit %d, args %q, out %q; want echo to get both arguments", argv0, r.code, got, r.out)
		}
	}
	// A name that is no command falls through to argv[1].
	got = nil
	if r := run("/opt/ingero-v2", "echo", "x"); r.code != cli.ExitOK || strings.Join(got, " ") != "x" {
		t.Errorf("renamed multiplexer: exit %d, args %q", r.code, got)
	}
}

func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		name, suggest string
	}{
		{"explian", `"explain"`},
		{"trcae", `"trace"`},
		{"qurey", `"query"`},
		{"versoin", `"version"`},
		{"zzzzzzzzzz", ""},
	}
	for _, tt := range tests {
		r := run("ingero", tt.name)
		if r.code != cli.ExitUsage || r.out != "" || strings.Count(r.err, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line on stderr", tt.name, r.code, r.out, r.err)
		}
		if !strings.Contains(r.err, `unknown command "`+tt.name+`"`) {
			t.Errorf("%s: stderr %q does not name the command", tt.name, r.err)
		}
		if tt.suggest != "" && !strings.Contains(r.err, "did you mean "+tt.suggest) {
			t.Errorf("%s: stderr %q does not suggest %s", tt.name, r.err, tt.suggest)
		}
		if tt.suggest == "" && strings.Contains(r.err, "did you mean") {
			t.Errorf("%s: stderr %q suggests a command that is not close", tt.name, r.err)
		}
	}
	if r := run("ingero", "help", "explian"); r.code != cli.ExitUsage || !strings.Contains(r.err, `did you mean "explain"`) {
		t.Errorf("help explian: exit %d, stderr %q", r.code, r.err)
	}
}

func TestUnknownFlag(t *testing.T) {
	for _, c := range commands {
		for _, argv := range [][]string{
			{"ingero", c.name, "--no-such-flag"},
			{"ingero-" + c.name, "--no-such-flag"},
		} {
			r := run(argv...)
			if r.code != cli.ExitUsage || r.out != "" || strings.Count(r.err, "\n") != 1 {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line", argv, r.code, r.out, r.err)
			}
			if !strings.Contains(r.err, "no-such-flag") || !strings.Contains(r.err, "ingero "+c.name+" --help") {
				t.Errorf("%q: stderr %q should name the flag and point at --help", argv, r.err)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	want := cli.VersionString() + "\n"
	if !strings.HasPrefix(want, "ingero v") || !strings.Contains(want, "(commit: ") || !strings.Contains(want, ", built: ") {
		t.Fatalf("version line %q is not 'ingero vX (commit: C, built: D)'", want)
	}
	argvs := [][]string{
		{"ingero", "version"},
		{"ingero", "--version"},
		{"ingero", "-version"},
		{"ingero-version"},
		{"/usr/bin/ingero", "version"},
	}
	for _, c := range commands {
		argvs = append(argvs, []string{"ingero-" + c.name, "--version"}, []string{"ingero", c.name, "--version"})
	}
	for _, argv := range argvs {
		r := run(argv...)
		if r.code != cli.ExitOK || r.out != want || r.err != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", argv, r.code, r.out, r.err, want)
		}
	}
}

// withCommand adds a command to the registry for one test.
func withCommand(t *testing.T, name string, newCmd cli.Constructor) {
	saved := commands
	commands = append(commands[:len(commands):len(commands)], struct {
		name string
		new  cli.Constructor
	}{name, newCmd})
	t.Cleanup(func() { commands = saved })
}

// A command whose issue has not landed says so in one line and exits 1.
// The real commands land one by one, so the test registers its own.
func TestNotYetImplemented(t *testing.T) {
	withCommand(t, "future", func(cli.Stdio) *ffcli.Command {
		return &ffcli.Command{Name: "future", ShortHelp: "Not here yet", Exec: cli.NotYet("future", "issue #99")}
	})
	for _, argv := range [][]string{{"ingero", "future"}, {"ingero-future"}, {"future"}} {
		r := run(argv...)
		if r.code != cli.ExitRuntime || r.out != "" || strings.Count(r.err, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and one line", argv, r.code, r.out, r.err)
		}
		if !strings.Contains(r.err, "ingero future: not available yet in this build (roadmap: issue #99)") {
			t.Errorf("%q: stderr %q", argv, r.err)
		}
	}
	if r := run("ingero"); !containsLine(r.out, "future", "Not here yet") {
		t.Errorf("a registered command is missing from the list:\n%s", r.out)
	}
}

// Arguments after the command name reach it unchanged, and its outcome
// maps to the exit code.
func TestArgumentsAndExitCodes(t *testing.T) {
	var got []string
	withCommand(t, "echo", func(cli.Stdio) *ffcli.Command {
		fs := flag.NewFlagSet("echo", flag.ContinueOnError)
		fail := fs.Bool("fail", false, "fail")
		usage := fs.Bool("usage", false, "usage error")
		return &ffcli.Command{Name: "echo", FlagSet: fs, Exec: func(_ context.Context, args []string) error {
			got = args
			switch {
			case *usage:
				return cli.Usagef("bad arguments")
			case *fail:
				return &cli.ExitError{Code: 3, Err: context.Canceled}
			}
			return nil
		}}
	})
	if r := run("ingero", "echo", "--", "-b", "a"); r.code != 0 || strings.Join(got, " ") != "-b a" {
		t.Errorf("exit %d, args %q", r.code, got)
	}
	if r := run("ingero-echo", "x"); r.code != 0 || strings.Join(got, " ") != "x" {
		t.Errorf("by argv[0]: exit %d, args %q", r.code, got)
	}
	if r := run("ingero", "echo", "--usage"); r.code != cli.ExitUsage || strings.Count(r.err, "\n") != 1 {
		t.Errorf("usage error: exit %d, stderr %q", r.code, r.err)
	}
	if r := run("ingero", "echo", "--fail"); r.code != 3 {
		t.Errorf("exit error: exit %d, stderr %q", r.code, r.err)
	}
}
