package standin

import (
	"errors"
	"os"
	"sync"
	"testing"

	"ingero.dev/common/testenv"
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
	if errors.Is(private.err, ErrNoCompiler) {
		testenv.Unavailable(t, private.err.Error())
	}
	if private.err != nil {
		t.Fatal(private.err)
	}
	return private.art
}
