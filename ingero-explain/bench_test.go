package explain

import (
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// benchEvents is the recording size of BenchmarkExplain. The issue's
// target is 10M events in at most 5 s on 2 cores; 1M keeps the setup short,
// and events/s scales to it.
const benchEvents = 1_000_000

// BenchmarkExplain runs the whole command (open, analyse, render) over a
// training loop recorded through the store, and reports events per second.
func BenchmarkExplain(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	const step = 2 * time.Millisecond
	start := now.Add(-time.Duration(benchEvents/2) * step)
	batch := make([]event.Event, 0, 8192)
	for i := range benchEvents / 2 {
		ns := start.Add(time.Duration(i) * step).UnixNano()
		batch = append(batch,
			event.Event{TimeNs: ns, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceDriver, Op: event.CuLaunchKernel, DurNs: 4800 + int64(i%7)*100},
			event.Event{TimeNs: ns + 10_000, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: 1_900_000 + int64(i%13)*1000})
		if len(batch) == cap(batch) {
			if err := w.Append(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := w.Append(batch); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r := runWith(b, causal.Analyze, "-d", path, "--since", "1w")
		if r.code != 0 {
			b.Fatalf("exit %d: %s", r.code, r.err)
		}
	}
	b.ReportMetric(float64(benchEvents)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
