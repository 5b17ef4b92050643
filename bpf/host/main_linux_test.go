package host

import (
	"fmt"
	"os"
	"testing"

	"ingero.dev/bpf/sysreq"
)

// TestMain mounts tracefs before any test attaches: cilium/ebpf looks for
// tracefs once per process and keeps the answer, so a test that attaches
// first on a fresh boot (tracefs not yet mounted) would leave every later
// test in this binary unable to attach oom/mark_victim.
func TestMain(m *testing.M) {
	if os.Geteuid() == 0 {
		if _, err := sysreq.EnsureTracefs(); err != nil {
			fmt.Fprintln(os.Stderr, "bpf/host tests:", err)
		}
	}
	os.Exit(m.Run())
}
