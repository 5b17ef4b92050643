package trace

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"ingero.dev/common/event"
)

// BenchmarkMeterObserve is the exporters' cost on the pipeline goroutine:
// one call per batch, as the pipeline makes it, of launches (counted) and
// timed calls (bucketed) from a few processes. Reported per event.
func BenchmarkMeterObserve(b *testing.B) {
	m := newMeter(time.Now(), false)
	batch := make([]event.Event, 256)
	for i := range batch {
		pid := uint32(1000 + i%4)
		if i%3 == 0 {
			batch[i] = cudaEvent(pid, "python3", event.CudaMalloc, time.Duration(i)*time.Microsecond)
		} else {
			batch[i] = cudaEvent(pid, "python3", event.CudaLaunchKernel, 0)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		m.observe(batch)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/event")
}

// BenchmarkMeterScrape is one /metrics render of a meter with 32
// processes × 3 timed ops and their launches.
func BenchmarkMeterScrape(b *testing.B) {
	m := newMeter(time.Now(), true)
	var batch []event.Event
	for p := range maxProcessLabels {
		for _, op := range []event.Op{event.CudaMalloc, event.CudaFree, event.CudaLaunchKernel} {
			batch = append(batch, cudaEvent(uint32(100+p), "proc"+string(rune('a'+p)), op, time.Millisecond))
		}
	}
	m.observe(batch)
	c := newPromCollector(m, nil)
	ch := make(chan prometheus.Metric, 4096)
	b.ResetTimer()
	for b.Loop() {
		go func() { c.Collect(ch); close(ch) }()
		for range ch {
		}
		ch = make(chan prometheus.Metric, 4096)
	}
}
