// Package testenv holds the eBPF gate of the tests that need the kernel,
// built on ingero.dev/common/testenv: they skip, saying why, where eBPF
// cannot run, and fail instead when INGERO_E2E=1 says the environment
// promised it.
package testenv

import (
	"testing"

	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/testenv"
)

// RequireBPF skips (or, under INGERO_E2E=1, fails) unless this process can
// load and attach eBPF programs: root, BTF, and a kernel new enough.
func RequireBPF(tb testing.TB) {
	tb.Helper()
	if err := sysreq.Check(); err != nil {
		testenv.Unavailable(tb, err.Error())
	}
}
