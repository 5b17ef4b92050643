package concurrency

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// TestReadersAnswerARecording checks the readers themselves, without
// trace or eBPF: on a finished recording every run of every kind succeeds.
// A reader that failed for its own reasons (a renamed flag, a tool's new
// argument) would otherwise read as the writer's fault in the end-to-end
// tests.
func TestReadersAnswerARecording(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	w, err := store.OpenWriter(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := w.BeginSession(event.Session{ID: "conc:1", Node: "conc", Host: "conc", StartNs: now.Add(-time.Second).UnixNano(),
		Flags: map[string]string{}, PIDFilter: []uint32{}}); err != nil {
		t.Fatal(err)
	}
	evs := make([]event.Event, 10_000)
	for i := range evs {
		evs[i] = event.Event{TimeNs: now.Add(-time.Second).UnixNano() + int64(i)*100_000, PID: 4821, TID: 4821, Comm: "python3",
			Source: event.SourceCUDA, Op: event.CudaLaunchKernel, DurNs: 3_000, GPU: 0}
	}
	if err := w.Append(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	buildReaders(t)
	tl := newTally()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	startReaders(t, ctx, db, 1, tl)()
	t.Logf("readers: %s", tl)
	for _, k := range readerKinds {
		if tl.runs[k] == 0 {
			t.Errorf("no %s reader run finished", k)
		}
	}
	for _, e := range tl.examples {
		t.Errorf("reader failed: %s", e)
	}
}
