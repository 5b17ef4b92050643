// Package testenv is the one gate for tests that need something a
// developer's machine may lack (root, a tool, a kernel feature): they skip,
// saying why, and fail instead when INGERO_E2E=1 says the environment
// promised everything. CI sets it, so nothing CI should test goes quietly
// untested. The eBPF gate (RequireBPF) builds on it in bpf/internal/testenv.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// E2E reports whether INGERO_E2E=1 is set.
func E2E() bool { return os.Getenv("INGERO_E2E") == "1" }

// Unavailable skips tb with reason, or fails it under INGERO_E2E=1.
func Unavailable(tb testing.TB, reason string) {
	tb.Helper()
	if E2E() {
		tb.Fatalf("INGERO_E2E=1 but the test cannot run: %s", reason)
	}
	tb.Skipf("%s (set INGERO_E2E=1 to fail instead)", reason)
}

// RequireRoot is Unavailable unless the process runs as root; why says
// what needs it.
func RequireRoot(tb testing.TB, why string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		Unavailable(tb, why+" needs root")
	}
}

// RequireTool returns the path of the named program, or is Unavailable
// when it is not on PATH; pkg names the Debian package that provides it.
func RequireTool(tb testing.TB, name, pkg string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Unavailable(tb, name+" not found: install "+pkg)
	}
	return p
}
