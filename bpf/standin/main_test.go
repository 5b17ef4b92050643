package standin

import (
	"errors"
	"os"
	"sync"
	"testing"
)

// These tests build their own copy of the stand-ins rather than use the
// shared Cached one: tracer tests running beside them attach uprobes to the
// cached files, which would trap these workloads too.
var private struct {
	once sync.Once
	dir  string
	art  *Artifacts
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if private.dir != "" {
		os.RemoveAll(private.dir)
	}
	os.Exit(code)
}

func artifacts(t *testing.T) *Artifacts {
	t.Helper()
	private.once.Do(func() {
		if private.dir, private.err = os.MkdirTemp("", "standin-test-"); private.err == nil {
			private.art, private.err = Build(private.dir)
		}
	})
	if errors.Is(private.err, ErrNoCompiler) && os.Getenv("INGERO_E2E") != "1" {
		t.Skipf("%v (set INGERO_E2E=1 to fail instead)", private.err)
	}
	if private.err != nil {
		t.Fatal(private.err)
	}
	return private.art
}
