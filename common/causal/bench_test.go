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
	"ingero.dev/common/recording"
	"ingero.dev/common/source"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
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
	benchAnalyze(b, r, n)
}

// BenchmarkAnalyze10MStream is the same over a stream file read in place
// (recording.OpenFileSource): the index pass at open is timed too, since
// every run of explain on a stream makes it.
//
//	cd common && go test ./causal -run '^$' -bench Analyze10MStream -benchtime 3x -benchmem
func BenchmarkAnalyze10MStream(b *testing.B) {
	n := benchN()
	path := benchStream(b, n)
	runtime.GC()
	b.ReportAllocs()
	for b.Loop() {
		rec, err := recording.OpenFileSource(path)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Analyze(context.Background(), rec.Source, Options{})
		rec.Close()
		if err != nil {
			b.Fatal(err)
		}
		if rep.Events != int64(n) {
			b.Fatalf("analysed %d events", rep.Events)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func benchAnalyze(b *testing.B, r source.Source, n int) {
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
	benchEvents(b, n, w.Append)
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchStream writes the events of benchRecording as a stream file, in
// frames of 8,192 events as trace's batches come.
func benchStream(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.stream")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w, err := stream.NewWriter(f, stream.Header{SessionID: "bench:1", Node: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	benchEvents(b, n, w.WriteEvents)
	if err := w.Close(event.SessionStats{}, 0); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchEvents(b *testing.B, n int, write func([]event.Event) error) {
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
			if err := write(buf[:k]); err != nil {
				b.Fatal(err)
			}
			done += k
		}
	}
}

func sleepMs(ms int) { time.Sleep(time.Duration(ms) * time.Millisecond) }

// benchN is 10M unless INGERO_BENCH_EVENTS asks for another size.
func benchN() int {
	if v, err := strconv.Atoi(os.Getenv("INGERO_BENCH_EVENTS")); err == nil && v > 0 {
		return v
	}
	return 10_000_000
}
