package cuda

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"ingero.dev/bpf/stacks"
	"ingero.dev/common/event"
)

// TestStacksResolveToWorkloadLines: with stacks on, every call of the
// stand-in workload (built with -g) carries a stack whose call site is
// the workload's own line, through the runtime or straight to the driver.
func TestStacksResolveToWorkloadLines(t *testing.T) {
	r := stacks.NewResolver(stacks.PyOff)
	h := newHarness(t, Options{Stacks: r})
	counts := h.run(nil, "--pattern", "basic", "--iterations", "3")
	events := h.of(counts.PID)
	byID := map[uint64]event.Stack{}
	for _, s := range r.Drain() {
		byID[s.ID] = s
	}
	src := filepath.Join(h.art.Dir, "src", "workload_patterns.c")
	launchLine := lineOf(t, src, "CALL(cudaLaunchKernel, &kernel_runtime")
	var launches int
	for _, e := range events {
		s, ok := byID[e.StackID]
		if !ok {
			t.Fatalf("%s has stack %#x, which was never stored", e.OpName(), e.StackID)
		}
		site, ok := event.CallSite(s.Frames)
		if !ok || site.Module != filepath.Base(h.art.Workload) {
			t.Errorf("%s: call site %+v is not in the workload (stack %+v)", e.OpName(), site, s.Frames)
			continue
		}
		if !hasFrame(s.Frames, "main", "workload.c") {
			t.Errorf("%s: no frame of main in workload.c: %+v", e.OpName(), s.Frames)
		}
		if e.Op == event.CudaLaunchKernel {
			launches++
			if filepath.Base(site.File) != "workload_patterns.c" || site.Line != launchLine {
				t.Errorf("launch call site %s, want workload_patterns.c:%d", site.Site(), launchLine)
			}
		}
	}
	if launches == 0 {
		t.Fatalf("no launches among %d events", len(events))
	}
}

func hasFrame(frames []event.Frame, sym, file string) bool {
	for _, f := range frames {
		if f.Symbol == sym && filepath.Base(f.File) == file && f.Line > 0 {
			return true
		}
	}
	return false
}

func lineOf(t *testing.T, file, marker string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range bytes.Split(data, []byte("\n")) {
		if bytes.Contains(l, []byte(marker)) {
			return i + 1
		}
	}
	t.Fatalf("%s has no %q", file, marker)
	return 0
}
