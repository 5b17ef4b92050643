// Package scenario generates the demo's recordings: a realistic training
// loop with one planted cause each, so the report can be checked to name
// exactly what was planted.
package scenario

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"ingero.dev/common/event"
)

// Scenario is one planted slowdown.
type Scenario struct {
	Name        string
	Description string
	// Rule is the causal rule that must fire, and Culprit a string its
	// root cause must contain (a process name, a direction…).
	Rule, Culprit string
	// Real is how the scenario is played under real tracing.
	Real  Real
	plant func(*loop)
}

// All lists the scenarios in the order `ingero demo` runs them.
func All() []Scenario { return scenarios }

// Find returns the scenario called name.
func Find(name string) (Scenario, bool) {
	for _, s := range scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Names lists the scenario names, for usage messages.
func Names() []string {
	out := make([]string, len(scenarios))
	for i, s := range scenarios {
		out[i] = s.Name
	}
	return out
}

// Recording is what a scenario produced.
type Recording struct {
	Events    []event.Event
	Snapshots []event.Snapshot
	// Annotations mark each training step (step=N) as an instrumented
	// loop does (docs/annotations.md), so reports can name the slow steps.
	Annotations []event.Annotation
}

const (
	trainPID = 4821
	node     = "demo-node"
)

// Generate plays the scenario for about the given span of wall time ending
// at end, with a seeded generator: the same seed gives the same events.
func (s Scenario) Generate(seed uint64, span time.Duration, end time.Time) Recording {
	l := &loop{
		r:     rand.New(rand.NewPCG(seed, 0x5ce)),
		start: end.Add(-span).UnixNano(),
		end:   end.UnixNano(),
	}
	l.now = l.start
	if s.plant != nil {
		s.plant(l)
	}
	for l.now < l.end {
		l.step()
	}
	l.snapshots()
	sortByTime(l.evs)
	return Recording{Events: l.evs, Snapshots: l.snaps, Annotations: l.anns}
}

// loop is a PyTorch-style training loop: an input copy, a burst of
// launches (some through cuBLAS, i.e. the driver), a stream sync.
type loop struct {
	r          *rand.Rand
	start, end int64
	now        int64
	steps      int
	evs        []event.Event
	snaps      []event.Snapshot
	anns       []event.Annotation

	// host describes the machine at time t for the per-second snapshots;
	// plants override it (memory pressure).
	host func(l *loop, t int64) event.Snapshot

	// Plants: each, when set, runs inside every step.
	hooks []func(l *loop, slow *int64)
	// hostHooks run once per simulated second, for summaries.
	second func(l *loop, t int64)
}

func (l *loop) lognormal(median, sigma float64) int64 {
	return int64(median * math.Exp(sigma*l.r.NormFloat64()))
}

func (l *loop) emit(e event.Event) {
	if e.Node == "" {
		e.Node = node
	}
	if e.Comm == "" {
		e.Comm = "python3"
	}
	if e.PID == 0 {
		e.PID, e.TID = trainPID, trainPID
	}
	l.evs = append(l.evs, e)
}

// call records one CUDA call of the training process and advances time.
func (l *loop) call(src event.Source, op event.Op, dur int64, args [4]uint64) {
	l.emit(event.Event{TimeNs: l.now, Source: src, Op: op, DurNs: dur, Args: args, GPU: 0})
	l.now += dur + l.lognormal(1500, 0.3)
}

var kernels = [...]uint64{0x7f3a2c01a000, 0x7f3a2c01a840, 0x7f3a2c01b100, 0x7f3a2c01c2c0, 0x7f3a2c01d000, 0x7f3a2c1e0400}

const stream = 0x55d1c0a3e2b0

func (l *loop) step() {
	l.steps++
	l.anns = append(l.anns, event.Annotation{TimeNs: l.now, PID: trainPID, Node: node,
		Labels: map[string]string{"step": strconv.Itoa(l.steps)}})
	lastSecond := l.now / 1e9
	l.call(event.SourceCUDA, event.CudaMemcpyAsync, l.lognormal(40_000, 0.2), [4]uint64{4 << 20, 1, stream})
	var gpuBusy int64
	for k := 0; k < 48; k++ {
		src, op := event.SourceCUDA, event.CudaLaunchKernel
		if k%6 == 5 {
			src, op = event.SourceDriver, event.CuLaunchKernel
		}
		l.call(src, op, 0, [4]uint64{kernels[(k+l.r.IntN(2))%len(kernels)], stream, 128, 256})
		gpuBusy += l.lognormal(30_000, 0.25)
	}
	slow := int64(0)
	for _, h := range l.hooks {
		h(l, &slow)
	}
	sync := max(gpuBusy-48*4000, 5000) + slow
	l.call(event.SourceCUDA, event.CudaStreamSynchronize, sync, [4]uint64{stream})
	if l.second != nil {
		for s := lastSecond + 1; s <= l.now/1e9; s++ {
			l.second(l, s*1e9)
		}
	}
}

func (l *loop) snapshots() {
	host := l.host
	if host == nil {
		host = calmHost
	}
	for t := l.start; t <= l.end; t += 1e9 {
		s := host(l, t)
		s.TimeNs, s.Node = t, node
		l.snaps = append(l.snaps, s)
	}
}

func calmHost(l *loop, _ int64) event.Snapshot {
	return event.Snapshot{CPUPct: 30 + 5*l.r.Float64(), MemPct: 40 + l.r.Float64(),
		MemAvailMB: 40_000 + int64(l.r.IntN(200)), Load1: 2 + l.r.Float64()}
}
