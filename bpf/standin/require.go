package standin

import (
	"errors"
	"os"
	"testing"
)

// Require returns the Cached build. It skips tb when gcc is missing, unless
// INGERO_E2E=1, in which case it fails.
//
// The cached libraries are shared by every test process of the user: a
// test that attaches uprobes to them also traps the workloads of tests
// running beside it (their PIDs, filtered out, cost only time), and its
// uretprobes make those workloads' DriverStats count calls as Unknown. A
// test that needs files of its own builds them with Build(tb.TempDir()).
func Require(tb testing.TB) *Artifacts {
	tb.Helper()
	art, err := Cached()
	if errors.Is(err, ErrNoCompiler) && os.Getenv("INGERO_E2E") != "1" {
		tb.Skipf("%v (set INGERO_E2E=1 to fail instead)", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return art
}
