package sysreq

import (
	"os"
	"testing"

	"ingero.dev/common/testenv"
)

// TestEnsureTracefs leaves tracefs usable, mounting it when needed.
func TestEnsureTracefs(t *testing.T) {
	testenv.RequireRoot(t, "mounting tracefs")
	mounted, err := EnsureTracefs()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range tracefsCandidates {
		if _, err := os.Stat(p + "/events/oom/mark_victim/id"); err == nil {
			found = true
		}
	}
	if !found {
		t.Errorf("after EnsureTracefs (mounted %v) no tracepoint ids are readable", mounted)
	}
	if again, err := EnsureTracefs(); err != nil || again {
		t.Errorf("second call: mounted %v, %v; want nothing to do", again, err)
	}
}
