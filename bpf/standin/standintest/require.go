// Package standintest hands tests the stand-in CUDA libraries. It is apart
// from standin so that programs that run the stand-ins (ingero demo) do not
// link the testing package.
package standintest

import (
	"errors"
	"testing"

	bpftestenv "ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/standin"
	"ingero.dev/common/testenv"
)

// Require returns the Cached build. It skips tb when gcc is missing, unless
// INGERO_E2E=1, in which case it fails.
//
// The cached libraries are shared by every test process of the user: a
// test that attaches uprobes to them also traps the workloads of tests
// running beside it (their PIDs, filtered out, cost only time), and its
// uretprobes make those workloads' DriverStats count calls as Unknown. A
// test that needs files of its own builds them with standin.Build(tb.TempDir()).
func Require(tb testing.TB) *standin.Artifacts {
	tb.Helper()
	art, err := standin.Cached()
	if errors.Is(err, standin.ErrNoCompiler) {
		testenv.Unavailable(tb, err.Error())
	}
	if err != nil {
		tb.Fatal(err)
	}
	return art
}

// RequireBPF skips tb (or, under INGERO_E2E=1, fails it) unless this
// process can load and attach eBPF programs: root, BTF, ring buffers.
func RequireBPF(tb testing.TB) {
	tb.Helper()
	bpftestenv.RequireBPF(tb)
}
