package causal

import (
	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// gpuCall folds in one CUDA runtime or driver call.
func (e *engine) gpuCall(p *proc, ev *event.Event) {
	t, d := ev.TimeNs, max(ev.DurNs, 0)
	if p.gpuCalls == 0 {
		e.gpuProcs = append(e.gpuProcs, p)
		p.gpuFirst = t
	}
	p.gpuCalls++
	p.gpu = ev.GPU
	p.lastGPUNs = max(p.lastGPUNs, t)
	p.gpuLast = max(p.gpuLast, t+d)
	p.gpuRate.add(&e.tb, t, 1)
	if !p.selected {
		return
	}
	o := p.op(ev.Key())
	o.record(&e.tb, ev)
	e.gap(p, o, t, d)
	if a := p.thread(ev); a != nil {
		idle := a.drained && p.gpuCalls-1 == a.gapRef && !e.busyElsewhere(p, a.callEnd)
		a.call(t, d, drains(o), idle)
		a.gapRef = p.gpuCalls
	}
	switch o.class {
	case event.ClassMemcpy:
		p.copy(o, ev)
	case event.ClassAlloc:
		if ev.Ret == errOutOfMemory {
			o.oom.add(ev)
		}
		e.leak(p).alloc(o, ev)
	case event.ClassFree:
		e.leak(p).free(o, ev)
	}
	if d > 0 {
		e.track(p, o, t, d)
	}
}

// sameGPU says whether two processes may share a device: an unknown
// ordinal (-1) may be any device.
func sameGPU(a, b *proc) bool {
	return a.node == b.node && (a.gpu < 0 || b.gpu < 0 || a.gpu == b.gpu)
}

// activeCotenant returns the process other than p that used p's GPU most
// recently within cotenantWindow of t, or nil.
func (e *engine) activeCotenant(p *proc, t int64) *proc {
	var best *proc
	for _, q := range e.gpuProcs {
		if q == p || q.gpuCalls < minGPUCalls || !sameGPU(p, q) || q.lastGPUNs < t-cotenantWindow {
			continue
		}
		if best == nil || q.lastGPUNs > best.lastGPUNs {
			best = q
		}
	}
	return best
}

// gapState measures the CPU-side gaps between a process's GPU calls.
type gapState struct {
	lastEnd    int64 // end of the latest call
	drained    bool  // the latest call waited for the GPU (a sync)
	blockedAcc int64 // blocked off-CPU time since lastEnd
	preemptAcc int64 // time other processes held the CPU since lastEnd
	all        hist.Histogram
	drainedH   hist.Histogram // gaps right after a sync: the GPU sat idle
	longNs     int64          // drained gaps ≥ gapMinNs: their total
	longBlock  int64          // … and the blocked off-CPU time inside them
	longest    timed
	firstLong  timed
}

// gap records the gap before a call starting at t and lasting d.
func (e *engine) gap(p *proc, o *opState, t, d int64) {
	g := &p.gaps
	if g.lastEnd > 0 && t > g.lastEnd {
		gap := t - g.lastEnd
		g.all.Record(gap)
		// While another process on the same GPU made calls, the GPU
		// was not idle, whatever this process did.
		// Time another process held the CPU is contention, which the
		// preemption rules report with its culprit: the idle charged
		// to the process's own host work is what remains.
		own := gap - min(g.preemptAcc, gap)
		if g.drained && (own < gapMinNs || !e.busyElsewhere(p, g.lastEnd)) {
			g.drainedH.Record(own)
			if own >= gapMinNs {
				g.longNs += own
				g.longBlock += min(g.blockedAcc, own)
				g.longest.keepMax(g.lastEnd, gap)
				if g.firstLong.t == 0 {
					g.firstLong = timed{g.lastEnd, gap}
				}
			}
		}
	}
	g.blockedAcc, g.preemptAcc = 0, 0
	if t+d >= g.lastEnd {
		g.lastEnd = t + d
		g.drained = drains(o)
	}
}

// blocked adds a voluntary off-CPU interval that began during a gap.
func (g *gapState) blocked(t, off int64) {
	if g.lastEnd > 0 && t >= g.lastEnd {
		g.blockedAcc += off
	}
}

// preempted adds an interval another process held the CPU, begun during a
// gap.
func (g *gapState) preempted(t, off int64) {
	if g.lastEnd > 0 && t >= g.lastEnd {
		g.preemptAcc += off
	}
}

// busyElsewhere says whether another process had a call on p's GPU in
// flight at t or since.
func (e *engine) busyElsewhere(p *proc, t int64) bool {
	for _, q := range e.gpuProcs {
		if q != p && sameGPU(p, q) && q.gpuLast >= t {
			return true
		}
	}
	return false
}

// drains says whether a call returns only once the GPU has finished its
// work: a sync or a synchronous copy. After it the GPU idles until the
// next call.
func drains(o *opState) bool {
	return o.class == event.ClassSync || o.class == event.ClassMemcpy && !o.async
}
