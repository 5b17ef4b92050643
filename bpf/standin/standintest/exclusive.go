package standintest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Exclusive holds a host-wide lock until tb ends. The end-to-end tests
// that plant CPU hogs, pin processes or judge a recording's chains take it:
// `go test` runs packages side by side, and another package's pinned hog
// on the same CPU would be a true but unplanted culprit in the record.
func Exclusive(tb testing.TB) {
	tb.Helper()
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
}
