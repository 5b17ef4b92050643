package sysreq

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestCheckNamesTheFix: whatever is missing, the error says what to do.
func TestCheckNamesTheFix(t *testing.T) {
	err := Check()
	switch {
	case os.Geteuid() != 0:
		if !errors.Is(err, ErrNotRoot) || !strings.Contains(err.Error(), "sudo") {
			t.Errorf("not root: %v", err)
		}
	case err == nil:
		if _, statErr := os.Stat(BTFPath); statErr != nil {
			t.Errorf("no BTF, yet Check passed")
		}
	default:
		if !errors.Is(err, ErrNoBTF) && !errors.Is(err, ErrNoRingBuf) {
			t.Errorf("unexpected error: %v", err)
		}
		if !strings.Contains(err.Error(), "Linux") && !strings.Contains(err.Error(), "CONFIG_") {
			t.Errorf("error does not name the fix: %v", err)
		}
	}
}
