package causal

import (
	"fmt"

	"ingero.dev/common/event"
)

// ruleGPUStarvation: the process leaves the GPU idle between steps. After
// a sync the GPU has drained; a long gap before the next CUDA call is time
// the GPU waits on the host (the DataLoader pattern).
func ruleGPUStarvation(v *view, p *proc) []*finding {
	g := &p.gaps
	var launches int64
	var launchOp *opState
	for _, o := range p.opList {
		if o.class == event.ClassLaunch && o.gpu {
			launches += int64(o.h.Count())
			if launchOp == nil || o.h.Count() > launchOp.h.Count() {
				launchOp = o
			}
		}
	}
	if launches < gapMinLaunches || g.all.Count() == 0 {
		return nil
	}
	typical := g.all.Quantile(0.5)
	thr := max(gapMinNs, gapFactor*typical)
	n := countAbove(&g.drainedH, thr)
	idle := excessAbove(&g.drainedH, thr, 0)
	share := min(float64(idle)/float64(p.gpuSpan()), 1)
	if n < gapMinCount || share < gapLowShare {
		return nil
	}
	sev := event.SeverityLow
	switch {
	case share >= gapHighShare && p.sched:
		sev = event.SeverityHigh
	case share >= gapMediumShare:
		// Without scheduler data a process idling between requests
		// (a server) looks the same as one starved of input.
		sev = event.SeverityMedium
	}
	f := v.newFinding("gpu-starvation", p.node, launchOp.name, p.pid, sev, share)
	mean := idle / n
	f.Summary = fmt.Sprintf("GPU idle %s of the time — %s gaps of %s between a sync and the next launch", fmtPct(share), fmtCount(n), fmtDur(mean))
	f.RootCause = fmt.Sprintf("%s left the GPU idle for %s of its run: %s gaps of %s on average (longest %s) between a sync that drained the GPU and its next CUDA call, against %s typically between calls",
		p.label(), fmtPct(share), fmtCount(n), fmtDur(mean), fmtDur(g.longest.d), fmtDur(typical))
	blocked := ratio(float64(g.longBlock), float64(g.longNs))
	switch {
	case g.longBlock > 0 && blocked >= 0.5:
		f.RootCause += fmt.Sprintf("; its threads were blocked off-CPU for %s of that time, waiting on host work such as DataLoader workers, IO or a lock.", fmtPct(blocked))
	case p.sched:
		f.RootCause += fmt.Sprintf("; it stayed on-CPU for %s of that time, so Python-side work between steps (preprocessing, logging, metrics) keeps the GPU waiting.", fmtPct(1-blocked))
	default:
		f.RootCause += ", so each step waits on host work before it can launch (the DataLoader pattern)."
	}
	f.Fix = "Feed the GPU faster: raise DataLoader num_workers, set pin_memory=True and persistent_workers=True, increase prefetch_factor, " +
		"move decoding and augmentation to the GPU (e.g. NVIDIA DALI) or cache preprocessed data; keep per-step logging and .item() calls out of the hot loop."
	layer := launchOp.key.Source.Layer()
	f.add(g.firstLong.t, layer, fmt.Sprintf("GPU drained; next CUDA call %s later", fmtDur(g.firstLong.d)))
	if g.longest.t != g.firstLong.t {
		f.add(g.longest.t, layer, fmt.Sprintf("longest idle gap %s", fmtDur(g.longest.d)))
	}
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["launches"] = launches
	f.Evidence["gaps"] = n
	f.Evidence["idle_ns"] = idle
	f.Evidence["idle_share"] = round4(share)
	f.Evidence["median_gap_ns"] = typical
	f.Evidence["threshold_ns"] = thr
	f.Evidence["longest_gap_ns"] = g.longest.d
	if p.sched {
		f.Evidence["blocked_share"] = round4(blocked)
	}
	return []*finding{f.done()}
}
