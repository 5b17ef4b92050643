package timerange

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/peterbourgon/ff/v3"
	"github.com/peterbourgon/ff/v3/ffcli"

	"ingero.dev/common/cli"
)

type testFlags struct {
	window   Window
	duration time.Duration
	maxDB    int64
}

func newTestFlags(fs *flag.FlagSet) *testFlags {
	f := &testFlags{}
	f.window.Register(fs, 5*time.Minute)
	DurationVar(fs, &f.duration, "duration", 0, "stop after `DURATION`")
	SizeVar(fs, &f.maxDB, "max-db", 10<<30, "cap the database at `SIZE`")
	return f
}

func TestFlagsParse(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	f := newTestFlags(fs)
	err := ff.Parse(fs, []string{"--from", "15:40", "--to=15:41:30", "--duration", "1h30m", "--max-db", "500m"})
	if err != nil {
		t.Fatal(err)
	}
	if f.duration != 90*time.Minute || f.maxDB != 500<<20 {
		t.Errorf("duration %v, max-db %d", f.duration, f.maxDB)
	}
	r, err := f.window.Resolve(now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.From.Equal(at(26, 15, 40, 0)) || !r.To.Equal(at(26, 15, 41, 30)) {
		t.Errorf("range %v", r)
	}
}

func TestFlagsDefaults(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	f := newTestFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if f.maxDB != 10<<30 || f.duration != 0 {
		t.Errorf("defaults: max-db %d, duration %v", f.maxDB, f.duration)
	}
	r, err := f.window.Resolve(now)
	if err != nil || !r.From.Equal(now.Add(-5*time.Minute)) || !r.To.Equal(now) {
		t.Errorf("default window %v, %v; want the 5m before now", r, err)
	}
	for name, want := range map[string]string{"since": "5m", "from": "", "to": "", "duration": "0s", "max-db": "10g"} {
		if got := fs.Lookup(name).DefValue; got != want {
			t.Errorf("--%s default shown as %q; want %q", name, got, want)
		}
	}
}

// Environment variables reach the values through ff as well.
func TestFlagsFromEnv(t *testing.T) {
	t.Setenv("INGERO_SINCE", "2d")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	f := newTestFlags(fs)
	if err := ff.Parse(fs, nil, ff.WithEnvVarPrefix("INGERO")); err != nil {
		t.Fatal(err)
	}
	if f.window.Since != "2d" {
		t.Errorf("since = %q", f.window.Since)
	}
}

// A bad value on the command line is a usage error: one line, exit 2,
// before the command runs.
func TestBadFlagValuesExitTwo(t *testing.T) {
	tests := []struct {
		args []string
		why  string
	}{
		{[]string{"--since", "5"}, "missing unit after 5"},
		{[]string{"--since", "0s"}, "must be longer than zero"},
		{[]string{"--since", "-1h"}, "negative"},
		{[]string{"--from", "3pm"}, "not a time"},
		{[]string{"--to", "25:00"}, "not a time"},
		{[]string{"--duration", "1x"}, `unknown unit "x"`},
		{[]string{"--max-db", "10q"}, `unknown suffix "q"`},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		ran := false
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		newTestFlags(fs)
		cmd := &ffcli.Command{Name: "t", FlagSet: fs, Exec: func(context.Context, []string) error { ran = true; return nil }}
		code := cli.Run(cmd, tt.args, cli.Stdio{Out: &out, Err: &errOut})
		msg := errOut.String()
		if code != cli.ExitUsage || ran || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tt.why) {
			t.Errorf("%v: exit %d, ran %v, stderr %q; want exit 2 and one line with %q", tt.args, code, ran, msg, tt.why)
		}
	}
}

// Conflicts between flags surface from Resolve, inside the command, and
// still exit 2.
func TestConflictingFlagsExitTwo(t *testing.T) {
	var errOut bytes.Buffer
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	f := newTestFlags(fs)
	cmd := &ffcli.Command{Name: "t", FlagSet: fs, Exec: func(context.Context, []string) error {
		_, err := f.window.Resolve(now)
		return err
	}}
	code := cli.Run(cmd, []string{"--since", "1h", "--from", "15:00"}, cli.Stdio{Out: &bytes.Buffer{}, Err: &errOut})
	if code != cli.ExitUsage || !strings.Contains(errOut.String(), "cannot be combined") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestHelpShowsPlaceholders(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	newTestFlags(fs)
	help := ffcli.DefaultUsageFunc(&ffcli.Command{Name: "t", FlagSet: fs})
	for _, want := range []string{"-since 5m", "-from TIME", "-to TIME", "-max-db 10g"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}
