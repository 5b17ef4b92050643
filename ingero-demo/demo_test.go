package demo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/common/cli"
)

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	stdio := cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}
	code := cli.Run(New(stdio), args, stdio)
	return out.String(), errb.String(), code
}

func TestRoundTripReportsIdenticalRecordings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "out", "demo.db")
	out, errOut, code := run(t, "-d", db, "--steps", "200")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"issue #5", "(database)", "(stream)", "cudaStreamSynchronize", "cudaLaunchKernel"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "events identical"); n != 2 {
		t.Errorf("want both recordings verified, got %d:\n%s", n, out)
	}
	for _, f := range []string{db, filepath.Join(filepath.Dir(db), "demo.stream")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("-d output %s not kept: %v", f, err)
		}
	}
	// A second run must not write into an existing database.
	if _, errOut, code := run(t, "-d", db); code != cli.ExitUsage || !strings.Contains(errOut, "already exists") {
		t.Errorf("rerun on existing -d: exit %d, %q", code, errOut)
	}
}

func TestScenarioNotYetAvailable(t *testing.T) {
	_, errOut, code := run(t, "incident")
	if code != cli.ExitRuntime || !strings.Contains(errOut, "issue #5") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestBadSteps(t *testing.T) {
	if _, _, code := run(t, "--steps", "0"); code != cli.ExitUsage {
		t.Errorf("--steps 0: exit %d, want 2", code)
	}
}
