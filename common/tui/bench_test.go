package tui

import (
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// benchEvents is a launch-heavy mix, as a training loop produces.
func benchEvents() []event.Event {
	r := rand.New(rand.NewPCG(9, 10))
	evs := make([]event.Event, 1<<12)
	for i := range evs {
		switch r.IntN(10) {
		case 0:
			evs[i] = event.Event{Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: 1_000_000 + r.Int64N(20_000_000)}
		case 1:
			evs[i] = event.Event{Source: event.SourceCUDA, Op: event.CudaMemcpyAsync, DurNs: 5_000 + r.Int64N(50_000)}
		case 2:
			evs[i] = event.Event{Source: event.SourceHost, Op: event.SchedSwitch, DurNs: r.Int64N(5_000_000), PeerComm: "logrotate"}
		default:
			evs[i] = event.Event{Source: event.SourceDriver, Op: event.CuLaunchKernel}
		}
	}
	return evs
}

func BenchmarkObserve(b *testing.B) {
	evs := benchEvents()
	s := NewStats(time.Unix(0, 0), false)
	i := 0
	for b.Loop() {
		s.Observe(&evs[i&(len(evs)-1)])
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkModelAndRender(b *testing.B) {
	evs := benchEvents()
	s := NewStats(time.Unix(0, 0), false)
	for i := range evs {
		s.Observe(&evs[i])
	}
	now := time.Unix(1, 0)
	for b.Loop() {
		now = now.Add(time.Second)
		m := s.Model(now)
		if err := RenderTTY(io.Discard, &m, 120); err != nil {
			b.Fatal(err)
		}
	}
}
