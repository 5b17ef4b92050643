package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryDispatch builds the real multiplexer with a version stamp,
// the way the Makefile does, and runs it through symlinks: this is the
// only test that sees the real os.Args[0].
func TestBinaryDispatch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the multiplexer; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "ingero")
	ldflags := "-X ingero.dev/common/cli.version=v9.8.7-test -X ingero.dev/common/cli.commit=abc1234 -X ingero.dev/common/cli.date=2026-11-26T15:40:00Z"
	goTool(t, ".", nil, "build", "-ldflags", ldflags, "-o", bin, ".")
	for _, name := range []string{"ingero-explain", "explain"} {
		if err := os.Symlink("ingero", filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	const version = "ingero v9.8.7-test (commit: abc1234, built: 2026-11-26T15:40:00Z)\n"

	tests := []struct {
		argv []string
		code int
		out  string // a substring of stdout, or the exact stdout for version
		err  string // a substring of stderr
	}{
		{[]string{"ingero", "version"}, 0, version, ""},
		{[]string{"ingero", "--version"}, 0, version, ""},
		{[]string{"ingero-explain", "--version"}, 0, version, ""},
		{[]string{"ingero-explain", "--help"}, 0, "ingero explain [flags]", ""},
		{[]string{"explain", "--help"}, 0, "ingero explain [flags]", ""},
		{[]string{"ingero", "explain", "--help"}, 0, "ingero explain [flags]", ""},
		{[]string{"ingero-explain", "--bogus"}, 2, "", "ingero explain: flag provided but not defined: -bogus"},
		{[]string{"explain", "--bogus"}, 2, "", "ingero explain: flag provided but not defined: -bogus"},
		{[]string{"ingero", "explian"}, 2, "", `did you mean "explain"`},
		{[]string{"ingero"}, 0, "Commands:", ""},
	}
	for _, tt := range tests {
		cmd := exec.Command(filepath.Join(dir, tt.argv[0]), tt.argv[1:]...)
		cmd.Env = append(os.Environ(), "INGERO_DB="+filepath.Join(dir, "none.db"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		okOut := strings.Contains(stdout.String(), tt.out)
		if tt.out == version {
			okOut = stdout.String() == version
		}
		if code != tt.code || !okOut || !strings.Contains(stderr.String(), tt.err) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				tt.argv, code, stdout.String(), stderr.String(), tt.code, tt.out, tt.err)
		}
	}
}
