// Package sample generates a seeded, realistic recording of a small
// PyTorch-style training loop: the data the demo round-trips through the
// stream and the store before the real scenarios land.
package sample

import (
	"math"
	"math/rand/v2"

	"ingero.dev/common/event"
)

// Workload describes the loop to synthesise.
type Workload struct {
	Seed    uint64
	Steps   int
	StartNs int64
	Node    string
	PID     uint32
}

// kernels are the function handles a step launches, cycled with some
// randomness the way an autograd graph replays.
var kernels = [...]uint64{0x7f3a2c01a000, 0x7f3a2c01a840, 0x7f3a2c01b100, 0x7f3a2c01c2c0, 0x7f3a2c01d000, 0x7f3a2c1e0400}

const stream = 0x55d1c0a3e2b0

// Generate returns the events of w in time order, plus the snapshots taken
// once a second over the same span.
func Generate(w Workload) ([]event.Event, []event.Snapshot) {
	r := rand.New(rand.NewPCG(w.Seed, 0x1ee7))
	g := gen{r: r, now: w.StartNs, w: w}
	for step := 0; step < w.Steps; step++ {
		g.step(step)
	}
	var snaps []event.Snapshot
	for t := w.StartNs; t <= g.now; t += 1e9 {
		snaps = append(snaps, event.Snapshot{
			TimeNs: t, Node: w.Node, CPUPct: 35 + 10*r.Float64(), MemPct: 41 + r.Float64(),
			MemAvailMB: 18_000 + int64(r.IntN(400)), Load1: 2 + r.Float64(),
		})
	}
	return g.evs, snaps
}

type gen struct {
	r   *rand.Rand
	now int64
	w   Workload
	evs []event.Event
}

// lognormal draws a duration around median ns with the given spread.
func (g *gen) lognormal(median float64, sigma float64) int64 {
	return int64(median * math.Exp(sigma*g.r.NormFloat64()))
}

func (g *gen) emit(src event.Source, op event.Op, tid uint32, dur int64, args [4]uint64) {
	g.evs = append(g.evs, event.Event{
		TimeNs: g.now, PID: g.w.PID, TID: tid, Comm: "python3", Source: src, Op: op,
		DurNs: dur, Args: args, Node: g.w.Node, GPU: 0,
	})
	g.now += max(dur, 0) + g.lognormal(1500, 0.3)
}

func (g *gen) step(step int) {
	main := g.w.PID
	// Input batch to the device.
	g.emit(event.SourceCUDA, event.CudaMemcpyAsync, main, g.lognormal(40_000, 0.2), [4]uint64{4 << 20, 1, stream})
	var gpuBusy int64
	for k := 0; k < 48; k++ {
		fn := kernels[(k+g.r.IntN(2))%len(kernels)]
		src, op := event.SourceCUDA, event.CudaLaunchKernel
		if k%6 == 5 { // cuBLAS launches straight through the driver
			src, op = event.SourceDriver, event.CuLaunchKernel
		}
		g.emit(src, op, main, 0, [4]uint64{fn, stream, 128, 256})
		gpuBusy += g.lognormal(30_000, 0.4)
	}
	// The sync waits for whatever GPU work is still queued.
	g.emit(event.SourceCUDA, event.CudaStreamSynchronize, main, max(gpuBusy-48*4000, 5000), [4]uint64{stream})
	if step%10 == 9 {
		g.emit(event.SourceCUDA, event.CudaMemcpy, main, g.lognormal(25_000, 0.2), [4]uint64{4096, 2})
	}
	if g.r.IntN(8) == 0 {
		off := g.lognormal(300_000, 0.5)
		g.evs = append(g.evs, event.Event{
			TimeNs: g.now, PID: main, TID: main, Comm: "python3", Source: event.SourceHost,
			Op: event.SchedSwitch, DurNs: off, Args: [4]uint64{3, 1}, Node: g.w.Node, GPU: -1,
			PeerPID: 8821, PeerComm: "logrotate",
		})
		g.now += off
	}
}
