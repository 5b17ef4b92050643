package store

import (
	"context"
	"os"
	"testing"
	"time"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

// BenchmarkAppend measures recording throughput on one goroutine with the
// schema's indexes in place, and the file size per event once closed
// (bytes/event). One op is one event, Close included; run with
// -benchtime=4000000x so that the fixed size of an empty database does not
// weigh on bytes/event. The workloads: this package's training loop (85%
// entry-only launches ~5µs apart, copies, syncs, sched_switch) and the
// shared batchtest generators, so numbers compare with the stream's.
func BenchmarkAppend(b *testing.B) {
	for _, set := range []struct {
		name string
		evs  func() []event.Event
	}{
		{"training-loop", func() []event.Event { return newWorkload(42, "node7", 4242, 1_700_000_000_000_000_000).events(1 << 20) }},
		{"batchtest-mixed", func() []event.Event { return batchtest.Mixed(42, 1<<20) }},
		{"batchtest-launch-storm", func() []event.Event { return batchtest.LaunchStorm(42, 1<<20) }},
	} {
		b.Run(set.name, func(b *testing.B) { benchAppend(b, set.evs()) })
	}
}

func benchAppend(b *testing.B, template []event.Event) {
	const batchSize = 1024
	span := template[len(template)-1].TimeNs - template[0].TimeNs + 5000
	path := tempDB(b)
	buf := make([]event.Event, batchSize)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	w, err := OpenWriter(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	var shift int64
	for done := 0; done < b.N; {
		for i := 0; i < len(template) && done < b.N; i += batchSize {
			n := min(batchSize, len(template)-i, b.N-done)
			copy(buf, template[i:i+n])
			for j := range buf[:n] {
				buf[j].TimeNs += shift
			}
			if err := w.Append(buf[:n]); err != nil {
				b.Fatal(err)
			}
			done += n
		}
		shift += span
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(fi.Size())/float64(b.N), "bytes/event")
}

// benchDB records n events of the training loop and returns the file
// with its first and last event times.
func benchDB(b *testing.B, n int) (path string, first, last int64) {
	b.Helper()
	path = tempDB(b)
	wl := newWorkload(7, "node7", 4242, 1_700_000_000_000_000_000)
	w, err := OpenWriter(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i += 1 << 16 {
		evs := wl.events(min(1<<16, n-i))
		if i == 0 {
			first = evs[0].TimeNs
		}
		last = evs[len(evs)-1].TimeNs
		if err := w.Append(evs); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path, first, last
}

// BenchmarkOpSummary aggregates 4M recorded events per op and process,
// over the whole recording (summaries only) and over a window whose edges
// cut chunks (those are decoded).
func BenchmarkOpSummary(b *testing.B) {
	const n = 4 << 20
	path, first, last := benchDB(b, n)
	r := openReader(b, path)
	quarter := (last - first) / 4
	for _, bc := range []struct {
		name string
		f    Filter
	}{
		{"all", Filter{}},
		{"window", Filter{FromNs: first + quarter + 1, ToNs: last - quarter - 1}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				stats, err := r.OpSummary(context.Background(), bc.f)
				if err != nil {
					b.Fatal(err)
				}
				if len(stats) == 0 {
					b.Fatal("no stats")
				}
			}
			if bc.name == "all" {
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			}
		})
	}
}

// BenchmarkEvents streams 4M recorded events back in time order: every
// chunk decoded, merged and handed to a callback.
func BenchmarkEvents(b *testing.B) {
	const n = 4 << 20
	path, _, _ := benchDB(b, n)
	r := openReader(b, path)
	b.ReportAllocs()
	for b.Loop() {
		got := 0
		err := r.Events(context.Background(), Filter{}, func(*event.Event) error {
			got++
			return nil
		})
		if err != nil || got != n {
			b.Fatalf("read %d events, %v", got, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
