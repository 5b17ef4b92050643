package causal

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"ingero.dev/common/event"
)

// gen is a seeded PyTorch-like training loop for fixtures: an input copy,
// a burst of launches, a stream sync, with log-normal latencies. Hooks
// plant one cause each; without hooks the loop is clean.
type gen struct {
	r          *rand.Rand
	start, end int64
	now        int64
	evs        []event.Event
	snaps      []event.Snapshot
	host       func(g *gen, t int64) event.Snapshot
	hooks      []func(g *gen, slow *int64)
	after      []func(g *gen)        // run after each step's sync
	second     func(g *gen, t int64) // once per simulated second
	steps      int
}

const (
	trainPID   = 4821
	trainComm  = "python3"
	node       = "node-a"
	testStream = 0x55d1c0a3e2b0
)

var genEpoch = time.Date(2025, 6, 1, 15, 40, 0, 0, time.UTC)

func newGen(seed uint64, span time.Duration) *gen {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0xca05a1)), start: genEpoch.UnixNano()}
	g.end = g.start + int64(span)
	g.now = g.start
	return g
}

func (g *gen) lognormal(median, sigma float64) int64 {
	return int64(median * math.Exp(sigma*g.r.NormFloat64()))
}

func (g *gen) emit(e event.Event) {
	if e.Node == "" {
		e.Node = node
	}
	if e.PID == 0 {
		e.PID, e.TID, e.Comm = trainPID, trainPID, trainComm
	}
	if e.GPU == 0 && e.Source != event.SourceCUDA && e.Source != event.SourceDriver {
		e.GPU = -1
	}
	g.evs = append(g.evs, e)
}

// call records one CUDA call of the training process and advances time.
func (g *gen) call(src event.Source, op event.Op, dur int64, args [4]uint64) {
	g.emit(event.Event{TimeNs: g.now, Source: src, Op: op, DurNs: dur, Args: args})
	g.now += dur + g.lognormal(2000, 0.3)
}

func (g *gen) step() {
	g.steps++
	sec := g.now / 1e9
	g.call(event.SourceCUDA, event.CudaMemcpyAsync, g.lognormal(40_000, 0.2), [4]uint64{4 << 20, 1, testStream})
	var busy int64
	for k := 0; k < 16; k++ {
		src, op := event.SourceCUDA, event.CudaLaunchKernel
		if k%4 == 3 {
			src, op = event.SourceDriver, event.CuLaunchKernel
		}
		g.call(src, op, 0, [4]uint64{0x7f3a2c01a000 + uint64(k%5)*0x840, testStream, 128, 256})
		busy += g.lognormal(180_000, 0.25)
	}
	slow := int64(0)
	for _, h := range g.hooks {
		h(g, &slow)
	}
	g.call(event.SourceCUDA, event.CudaStreamSynchronize, max(busy-16*3000, 5000)+slow, [4]uint64{testStream})
	for _, a := range g.after {
		a(g)
	}
	if g.second != nil {
		for s := sec + 1; s <= g.now/1e9; s++ {
			g.second(g, s*1e9)
		}
	}
}

// run plays the loop to the end of the span and returns the events in
// time order with one snapshot a second.
func (g *gen) run() ([]event.Event, []event.Snapshot) {
	for g.now < g.end {
		g.step()
	}
	host := g.host
	if host == nil {
		host = calmHost
	}
	for t := g.start; t <= g.end; t += 1e9 {
		s := host(g, t)
		s.TimeNs, s.Node = t, node
		g.snaps = append(g.snaps, s)
	}
	slices.SortStableFunc(g.evs, func(a, b event.Event) int {
		switch {
		case a.TimeNs < b.TimeNs:
			return -1
		case a.TimeNs > b.TimeNs:
			return 1
		}
		return 0
	})
	return g.evs, g.snaps
}

func calmHost(g *gen, _ int64) event.Snapshot {
	return event.Snapshot{CPUPct: 30 + 5*g.r.Float64(), MemPct: 40 + g.r.Float64(),
		MemAvailMB: 40_000 + int64(g.r.IntN(200)), Load1: 2 + g.r.Float64()}
}

// preempt plants a CPU hog: in one step of every `every`, the training
// thread is preempted by comm for about offNs, which its sync absorbs; each
// second a contention summary names the hog.
func (g *gen) preempt(comm string, pid uint32, every int, offNs float64) {
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		if g.r.IntN(every) != 0 {
			return
		}
		off := g.lognormal(offNs, 0.4)
		g.emit(event.Event{TimeNs: g.now + 50_000, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: off,
			Args: [4]uint64{3, 1, 3}, PeerPID: pid, PeerComm: comm})
		*slow += off
	})
	g.second = func(g *gen, t int64) {
		g.emit(event.Event{TimeNs: t, Source: event.SourceHost, Op: event.CPUContention, TID: 0,
			DurNs: g.lognormal(400_000_000, 0.1), Args: [4]uint64{3, uint64(200 + g.r.IntN(80))},
			PeerPID: pid, PeerComm: comm})
	}
}

// noise adds scheduler noise that explains nothing: short preemptions by
// kernel threads at random moments, and blocked waits.
func (g *gen) noise() {
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if g.r.IntN(4) == 0 {
			g.emit(event.Event{TimeNs: g.now - g.r.Int64N(2_000_000), Source: event.SourceHost, Op: event.SchedSwitch,
				DurNs: g.lognormal(15_000, 0.8), Args: [4]uint64{uint64(g.r.IntN(8)), 1, 3},
				PeerPID: 77, PeerComm: "kworker/3:1"})
		}
		if g.r.IntN(3) == 0 {
			g.emit(event.Event{TimeNs: g.now + 10_000, Source: event.SourceHost, Op: event.SchedSwitch,
				DurNs: g.lognormal(300_000, 0.5), Args: [4]uint64{3, 0, 3}})
		}
	})
}

func sortEvents(evs []event.Event) {
	slices.SortStableFunc(evs, func(a, b event.Event) int {
		switch {
		case a.TimeNs < b.TimeNs:
			return -1
		case a.TimeNs > b.TimeNs:
			return 1
		}
		return 0
	})
}
