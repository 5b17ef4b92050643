package cuda

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

// harness is a loaded Tracer attached to the stand-in libraries, keeping
// every event it delivers.
type harness struct {
	t    testing.TB
	art  *standin.Artifacts
	maps *shared.Maps
	tr   *Tracer

	mu     sync.Mutex
	events []event.Event
	closed bool
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	h := newPausedHarness(t, opts)
	h.tr.Start(h.sink)
	return h
}

// newPausedHarness is newHarness before the reader starts: records stay in
// the ring until the test calls h.tr.Start.
func newPausedHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	testenv.RequireBPF(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	art := standintest.Require(t)
	m, err := shared.New()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Load(m, opts)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	h := &harness{t: t, art: art, maps: m, tr: tr}
	t.Cleanup(func() { h.close(); m.Close() })
	if w, err := tr.AttachRuntime(art.Runtime); err != nil {
		t.Fatal(err)
	} else {
		logRequired(t, w)
	}
	if w, err := tr.AttachDriver(art.Driver); err != nil {
		t.Fatal(err)
	} else {
		logRequired(t, w)
	}
	return h
}

// logRequired fails on a missing required symbol: the stand-ins export
// every function the probes expect.
func logRequired(t testing.TB, warnings []error) {
	t.Helper()
	for _, w := range warnings {
		if ms, ok := w.(*MissingSymbol); ok && ms.Optional {
			continue
		}
		t.Errorf("unexpected warning: %v", w)
	}
}

func (h *harness) sink(batch []event.Event) {
	h.mu.Lock()
	h.events = append(h.events, batch...)
	h.mu.Unlock()
}

// close detaches and drains: after it every event is in h.events.
func (h *harness) close() {
	h.mu.Lock()
	closed := h.closed
	h.closed = true
	h.mu.Unlock()
	if !closed {
		if err := h.tr.Close(); err != nil {
			h.t.Errorf("closing tracer: %v", err)
		}
	}
}

// run starts the workload, tracks it, lets it run and returns its counts.
func (h *harness) run(env []string, args ...string) *standin.Counts {
	h.t.Helper()
	return h.runWith(true, env, args...)
}

// runWith is run with the seccomp verdict for the workload given.
func (h *harness) runWith(returnProbes bool, env []string, args ...string) *standin.Counts {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := h.art.Start(ctx, env, args...)
	if err != nil {
		h.t.Fatal(err)
	}
	p, err := Describe(run.PID())
	if err != nil {
		h.t.Fatal(err)
	}
	if len(p.Runtime) != 1 || len(p.Driver) != 1 {
		h.t.Fatalf("workload maps runtime %v and driver %v, want one of each", p.Runtime, p.Driver)
	}
	p.ReturnProbes = returnProbes
	if err := h.tr.AddProcess(p); err != nil {
		h.t.Fatal(err)
	}
	if err := run.Release(); err != nil {
		h.t.Fatal(err)
	}
	counts, err := run.Wait()
	if err != nil {
		h.t.Fatal(err)
	}
	return counts
}

// of returns the events of pid, after close.
func (h *harness) of(pid int) []event.Event {
	h.close()
	var out []event.Event
	for _, e := range h.events {
		if e.PID == uint32(pid) {
			out = append(out, e)
		}
	}
	return out
}

func gotCounts(events []event.Event) map[event.Key]uint64 {
	got := map[event.Key]uint64{}
	for _, e := range events {
		if e.Source == event.SourceCUDA || e.Source == event.SourceDriver {
			got[e.Key()]++
		}
	}
	return got
}

// assertCounts fails unless every op was recorded exactly as often as the
// workload called it.
func assertCounts(t *testing.T, want, got map[event.Key]uint64) {
	t.Helper()
	keys := map[event.Key]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := slices.SortedFunc(func(yield func(event.Key) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	}, func(a, b event.Key) int { return int(a.Source)<<8 + int(a.Op) - (int(b.Source)<<8 + int(b.Op)) })
	for _, k := range sorted {
		if want[k] != got[k] {
			t.Errorf("%s/%s: recorded %d, workload called %d", k.Source, event.OpName(k.Source, k.Op), got[k], want[k])
		}
	}
}
