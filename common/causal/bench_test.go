package causal

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// BenchmarkAnalyze10M explains a recording of 10M events (batchtest.Mixed:
// a PyTorch-like launch storm with ~30% host, IO and net events): one op
// is one full Analyze. The recording is written once, before the timer.
// Target: ≤ 5 s per op on the 2-core dev VM. peak-heap-MB is the largest
// live heap seen between ops, to show memory stays bounded.
//
//	cd common && go test ./causal -run '^$' -bench Analyze10M -benchtime 3x -benchmem
func BenchmarkAnalyze10M(b *testing.B) {
	n := benchN()
	path := benchRecording(b, n)
	r, err := store.OpenReadOnly(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	runtime.GC() // the recording's template is garbage now
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			default:
			}
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			runtime.Gosched()
			sleepMs(50)
		}
	}()
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Analyze(context.Background(), r, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Events != int64(n) {
			b.Fatalf("analysed %d events", rep.Events)
		}
	}
	close(stop)
	<-done
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// benchRecording writes n events of batchtest.Mixed: one seeded million
// repeated with shifted times, so the same process runs throughout.
func benchRecording(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	tmpl := batchtest.Mixed(42, 1<<20)
	span := tmpl[len(tmpl)-1].TimeNs - tmpl[0].TimeNs + 5000
	buf := make([]event.Event, 8192)
	for done, shift := 0, int64(0); done < n; shift += span {
		for i := 0; i < len(tmpl) && done < n; i += len(buf) {
			k := min(len(buf), len(tmpl)-i, n-done)
			copy(buf, tmpl[i:i+k])
			for j := range buf[:k] {
				buf[j].TimeNs += shift
			}
			if err := w.Append(buf[:k]); err != nil {
				b.Fatal(err)
			}
			done += k
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func sleepMs(ms int) { time.Sleep(time.Duration(ms) * time.Millisecond) }

// benchN is 10M unless INGERO_BENCH_EVENTS asks for another size.
func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("INGERO_BENCH_EVENTS")); err == nil && v > 0 {
		return v
	}
	return 10_000_000
}
