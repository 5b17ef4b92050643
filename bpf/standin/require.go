package standin

import (
	"errors"
	"os"
	"testing"
)

// Require returns the Cached build. It skips tb when gcc is missing, unless
// INGERO_E2E=1, in which case it fails.
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
