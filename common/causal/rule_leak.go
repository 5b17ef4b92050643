package causal

import (
	"fmt"
	"math"
	"sort"

	"ingero.dev/common/event"
)

// ruleMemoryLeak: the device bytes a process holds (allocations minus
// the frees paired with them by pointer) grow steadily over the window.
func ruleMemoryLeak(v *view, p *proc) []*finding {
	l := v.e.leaks[p.procKey]
	if l == nil {
		return nil
	}
	ts, vs := l.level.points()
	if len(ts) < leakMinPoints {
		return nil
	}
	slope, r2 := fitLine(ts, vs)
	first, last := vs[0], vs[len(vs)-1]
	growth := last - first
	peak := first
	for _, x := range vs {
		peak = max(peak, x)
	}
	mid := vs[sort.Search(len(ts), func(i int) bool { return ts[i] >= (ts[0]+ts[len(ts)-1])/2 })]
	late := last - mid
	if growth < leakMinGrowth || slope <= 0 || r2 < leakMinR2 ||
		float64(late) < leakLateGrowth*float64(growth) || float64(last) < leakNearPeak*float64(peak) {
		return nil
	}
	sev := event.SeverityMedium
	if growth >= leakHighGrowth || growth >= leakStrongGrowth && r2 >= leakStrongR2 {
		sev = event.SeverityHigh
	}
	op, opBytes := "", int64(-1)
	for name, b := range l.opBytes {
		if b > opBytes || b == opBytes && name < op {
			op, opBytes = name, b
		}
	}
	span := ts[len(ts)-1] - ts[0]
	f := v.newFinding("memory-leak", p.node, op, p.pid, sev, r2*math.Min(float64(growth)/float64(leakHighGrowth), 1))
	perSec := slope * 1e9
	f.Summary = fmt.Sprintf("device memory held grew %s over %s (+%s/s) — likely leak", fmtBytes(growth), fmtDur(span), fmtBytes(int64(perSec)))
	f.RootCause = fmt.Sprintf("%s allocated %s more device memory than it freed over %s, growing steadily at %s/s (R² %.2f): %s of its %s allocations are still live, and it freed %s of the %s it allocated.",
		p.label(), fmtBytes(growth), fmtDur(span), fmtBytes(int64(perSec)), r2, fmtCount(int64(len(l.live))+l.untracked),
		fmtCount(l.allocs), fmtBytes(l.freedBytes), fmtBytes(l.allocBytes))
	f.Fix = "Find what keeps tensors alive across iterations: losses or outputs accumulated without .detach() or .item(), growing caches and lists, retain_graph=True; " +
		"log torch.cuda.memory_allocated() per step and record torch.cuda.memory._record_memory_history() to find the allocation site."
	layer := event.SourceCUDA.Layer()
	f.add(ts[0], layer, fmt.Sprintf("device memory held: %s", fmtBytes(first)))
	f.add(ts[len(ts)-1], layer, fmt.Sprintf("device memory held: %s (+%s)", fmtBytes(last), fmtBytes(growth)))
	f.Evidence["pid"], f.Evidence["comm"], f.Evidence["op"] = p.pid, p.comm, op
	f.Evidence["growth_bytes"] = growth
	f.Evidence["bytes_per_s"] = int64(perSec)
	f.Evidence["r2"] = round4(r2)
	f.Evidence["held_first_bytes"], f.Evidence["held_last_bytes"], f.Evidence["held_peak_bytes"] = first, last, peak
	f.Evidence["allocs"], f.Evidence["frees"] = l.allocs, l.frees
	f.Evidence["alloc_bytes"], f.Evidence["freed_bytes"] = l.allocBytes, l.freedBytes
	f.Evidence["live_allocs"] = int64(len(l.live)) + l.untracked
	f.Evidence["unpaired_frees"] = l.unpaired
	return []*finding{f.done()}
}

// fitLine is a least-squares line through (ts, vs): its slope in units
// per ns and its R².
func fitLine(ts, vs []int64) (slope, r2 float64) {
	n := float64(len(ts))
	var mx, my float64
	for i := range ts {
		mx += float64(ts[i]-ts[0]) / n
		my += float64(vs[i]) / n
	}
	var sxx, sxy, syy float64
	for i := range ts {
		dx, dy := float64(ts[i]-ts[0])-mx, float64(vs[i])-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, 0
	}
	return sxy / sxx, sxy * sxy / (sxx * syy)
}
