package testenv

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that notes how the gate ended the test.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	panic(r)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	panic(r)
}

func gate(f func(tb testing.TB)) (r *recorder) {
	r = &recorder{}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
	}()
	f(r)
	return r
}

func TestUnavailableSkipsOrFails(t *testing.T) {
	t.Setenv("INGERO_E2E", "")
	r := gate(func(tb testing.TB) { Unavailable(tb, "no widget") })
	if r.failed != "" || !strings.Contains(r.skipped, "no widget") || !strings.Contains(r.skipped, "INGERO_E2E=1") {
		t.Errorf("without INGERO_E2E: skipped %q, failed %q", r.skipped, r.failed)
	}
	t.Setenv("INGERO_E2E", "1")
	r = gate(func(tb testing.TB) { Unavailable(tb, "no widget") })
	if r.skipped != "" || !strings.Contains(r.failed, "no widget") {
		t.Errorf("with INGERO_E2E=1: skipped %q, failed %q", r.skipped, r.failed)
	}
}

func TestRequireTool(t *testing.T) {
	t.Setenv("INGERO_E2E", "1")
	var path string
	r := gate(func(tb testing.TB) { path = RequireTool(tb, "sh", "dash") })
	if r.failed != "" || path == "" {
		t.Errorf("sh: path %q, failed %q", path, r.failed)
	}
	r = gate(func(tb testing.TB) { RequireTool(tb, "no-such-tool-ingero", "ingero-nothing") })
	if !strings.Contains(r.failed, "no-such-tool-ingero not found: install ingero-nothing") {
		t.Errorf("missing tool: failed %q", r.failed)
	}
}
