package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/peterbourgon/ff/v3/ffcli"
)

type outcome struct {
	code     int
	out, err string
}

func runCmd(cmd *ffcli.Command, args ...string) outcome {
	var out, errOut bytes.Buffer
	code := Run(cmd, args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return outcome{code, out.String(), errOut.String()}
}

// newCmd returns a command named "demo" whose Exec returns err and
// records the arguments it got.
func newCmd(err error, got *[]string) *ffcli.Command {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.Int("n", 0, "how many `N`")
	return &ffcli.Command{
		Name:       "demo",
		ShortUsage: "ingero demo [flags] ARG...",
		ShortHelp:  "Demonstrate",
		FlagSet:    fs,
		Exec: func(_ context.Context, args []string) error {
			if got != nil {
				*got = args
			}
			return err
		},
	}
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"success", nil, ExitOK, ""},
		{"runtime failure", errors.New("opening database: no such file"), ExitRuntime, "ingero demo: opening database: no such file\n"},
		{"usage error", Usagef("need %d arguments", 2), ExitUsage, "ingero demo: need 2 arguments (see 'ingero demo --help')\n"},
		{"wrapped usage error", fmt.Errorf("parsing: %w", Usagef("bad")), ExitUsage, "ingero demo: parsing: bad (see 'ingero demo --help')\n"},
		{"multi-line usage error shows one line", Usagef("first\nsecond"), ExitUsage, "ingero demo: first (see 'ingero demo --help')\n"},
		{"exit error", &ExitError{Code: 3, Err: errors.New("2 checks failed")}, 3, "ingero demo: 2 checks failed\n"},
		{"silent exit error", &ExitError{Code: 4, Err: errors.New("")}, 4, ""},
		{"help from Exec", flag.ErrHelp, ExitOK, ""},
		{"not yet", fmt.Errorf("%w in this build (roadmap: issue #4)", ErrNotAvailable), ExitRuntime, "ingero demo: not available yet in this build (roadmap: issue #4)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCmd(newCmd(tt.err, nil))
			if r.code != tt.code || r.err != tt.stderr || r.out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stderr %q", r.code, r.out, r.err, tt.code, tt.stderr)
			}
		})
	}
}

func TestRunPassesArguments(t *testing.T) {
	var got []string
	r := runCmd(newCmd(nil, &got), "-n", "3", "a", "-b")
	if r.code != ExitOK || strings.Join(got, " ") != "a -b" {
		t.Errorf("exit %d, args %q", r.code, got)
	}
}

func TestRunBadFlag(t *testing.T) {
	for _, args := range [][]string{{"--nope"}, {"-n", "x"}, {"-n"}} {
		ran := false
		cmd := newCmd(nil, nil)
		cmd.Exec = func(context.Context, []string) error { ran = true; return nil }
		r := runCmd(cmd, args...)
		if r.code != ExitUsage || ran || r.out != "" || strings.Count(r.err, "\n") != 1 ||
			!strings.HasPrefix(r.err, "ingero demo: ") || !strings.HasSuffix(r.err, "(see 'ingero demo --help')\n") {
			t.Errorf("%q: exit %d, ran %v, stdout %q, stderr %q; want exit 2 and one line", args, r.code, ran, r.out, r.err)
		}
		if strings.Contains(r.err, "error parsing commandline arguments") {
			t.Errorf("%q: stderr %q keeps ff's wrapper", args, r.err)
		}
	}
}

func TestRunHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "-help"} {
		r := runCmd(newCmd(errors.New("must not run"), nil), arg)
		if r.code != ExitOK || r.err != "" {
			t.Errorf("%s: exit %d, stderr %q", arg, r.code, r.err)
		}
		for _, want := range []string{"Demonstrate", "ingero demo [flags] ARG...", "-n 0  how many N"} {
			if !strings.Contains(r.out, want) {
				t.Errorf("%s: help lacks %q:\n%s", arg, want, r.out)
			}
		}
	}
}

func TestRunVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version"} {
		r := runCmd(newCmd(errors.New("must not run"), nil), arg)
		if r.code != ExitOK || r.out != VersionString()+"\n" || r.err != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", arg, r.code, r.out, r.err)
		}
	}
	// Only alone is it the version flag; after other arguments it is an
	// unknown flag like any other.
	if r := runCmd(newCmd(nil, nil), "-n", "1", "--version"); r.code != ExitUsage {
		t.Errorf("--version after flags: exit %d", r.code)
	}
}

// A command built without a FlagSet still parses and rejects flags.
func TestRunWithoutFlagSet(t *testing.T) {
	var got []string
	cmd := &ffcli.Command{Name: "bare", Exec: func(_ context.Context, args []string) error { got = args; return nil }}
	if r := runCmd(cmd, "x"); r.code != ExitOK || strings.Join(got, " ") != "x" {
		t.Errorf("exit %d, args %q", r.code, got)
	}
	cmd = &ffcli.Command{Name: "bare", Exec: func(context.Context, []string) error { return nil }}
	if r := runCmd(cmd, "--x"); r.code != ExitUsage || !strings.Contains(r.err, "ingero bare: flag provided but not defined: -x") {
		t.Errorf("exit %d, stderr %q", r.code, r.err)
	}
}

func TestNotYet(t *testing.T) {
	err := NotYet("explain", "issue #4")(context.Background(), nil)
	if !errors.Is(err, ErrNotAvailable) || err.Error() != "not available yet in this build (roadmap: issue #4)" {
		t.Errorf("NotYet error = %v", err)
	}
}
