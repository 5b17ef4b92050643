package standintest

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// held lists the tests that hold the lock. flock conflicts between two
// open files of one process too, so a second call from the same test
// would wait for itself.
var held sync.Map // testing.TB → struct{}

// Exclusive holds a host-wide lock until tb ends, and runs the test
// process, with every child it starts from now on, in a cgroup of its own
// that outweighs everything else on the host for CPU time.
//
// The end-to-end tests that plant CPU hogs, pin processes or judge a
// recording's chains take it. The lock keeps them apart: `go test` runs
// packages side by side, and another package's pinned hog on the same CPU
// would be a true but unplanted culprit in the record. The cgroup keeps
// the rest of the machine out of their way: other packages' tests, builds,
// whatever else runs on a loaded CI host would otherwise preempt the
// workload more often than the plant does and, rightly, be named first.
func Exclusive(tb testing.TB) {
	tb.Helper()
	if _, again := held.LoadOrStore(tb, struct{}{}); again {
		return
	}
	tb.Cleanup(func() { held.Delete(tb) })
	path := filepath.Join(os.TempDir(), "ingero-e2e.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		tb.Fatalf("opening the end-to-end lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		tb.Fatalf("taking the end-to-end lock %s: %v", path, err)
	}
	// Closing the file releases the lock, also when the test process dies.
	tb.Cleanup(func() { f.Close() })
	g, err := enterHeavyCgroup()
	if err != nil {
		// Without a cpu controller (a container, say) the tests still
		// run; on a busy host they may then see other load win.
		tb.Logf("running without a CPU cgroup of its own: %v", err)
		return
	}
	tb.Cleanup(func() {
		if err := g.leave(); err != nil {
			tb.Logf("leaving the test's cgroup: %v", err)
		}
	})
}
