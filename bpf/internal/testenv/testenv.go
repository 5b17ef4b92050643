// Package testenv gates the tests that need the kernel: they skip, saying
// why, where eBPF cannot run, and fail instead when INGERO_E2E=1 says the
// environment promised it.
package testenv

import (
	"os"
	"testing"

	"ingero.dev/bpf/sysreq"
)

// E2E reports whether INGERO_E2E=1 is set.
func E2E() bool { return os.Getenv("INGERO_E2E") == "1" }

// RequireBPF skips (or, under INGERO_E2E=1, fails) unless this process can
// load and attach eBPF programs: root, BTF, and a kernel new enough.
func RequireBPF(tb testing.TB) {
	tb.Helper()
	if err := sysreq.Check(); err != nil {
		Unavailable(tb, err.Error())
	}
}

// Unavailable skips with reason, or fails under INGERO_E2E=1.
func Unavailable(tb testing.TB, reason string) {
	tb.Helper()
	if E2E() {
		tb.Fatalf("INGERO_E2E=1 but the test cannot run: %s", reason)
	}
	tb.Skip(reason)
}
