package causal

import (
	"fmt"
	"strings"

	"ingero.dev/common/event"
)

// preemptedBetweenCalls is cpu-preemption for a loop whose calls do not
// absorb the preemption: a launch-bound PyTorch loop spends its CPU time
// in Python between CUDA calls, so a hog on its core makes no call slower
// (launches are not timed, syncs find the GPU done) but makes the loop
// issue fewer of them. The evidence is then the process's GPU call rate in
// the seconds it was preempted against the seconds it was not, and the
// off-CPU time itself.
func preemptedBetweenCalls(v *view, p *proc) *finding {
	tb := &v.e.tb
	first, last := tb.index(p.gpuFirst)+1, tb.index(p.gpuLast) // whole buckets only
	var offNs int64
	for _, c := range p.culprits {
		offNs += c.offNs
	}
	span := p.gpuSpan()
	if last-first < betweenMinBuckets || span <= 0 || offNs < int64(betweenMinOffShare*float64(span)) {
		return nil
	}
	var hit, clean, hitCalls, cleanCalls int64
	firstHit := -1
	for i := first; i < last; i++ {
		off, calls := p.preemptSeries.at(tb, i), p.gpuRate.at(tb, i)
		switch {
		case float64(off) >= betweenHitShare*float64(tb.width):
			hit, hitCalls = hit+1, hitCalls+calls
			if firstHit < 0 {
				firstHit = i
			}
		case float64(off) <= betweenCleanShare*float64(tb.width):
			clean, cleanCalls = clean+1, cleanCalls+calls
		}
	}
	if hit < betweenMinHit {
		return nil
	}
	secs := float64(tb.width) / 1e9
	share := float64(offNs) / float64(span)
	hitRate := float64(hitCalls) / float64(hit) / secs
	sev, drop, cleanRate := event.SeverityMedium, 0.0, 0.0
	if clean >= betweenMinClean {
		cleanRate = float64(cleanCalls) / float64(clean) / secs
		drop = 1 - hitRate/cleanRate
		if drop < betweenMinDrop {
			return nil // preempted, but the loop kept its pace
		}
		if drop >= betweenHighDrop && share >= highImpact {
			sev = event.SeverityHigh
		}
	} else if share < betweenNoBaselineShare {
		return nil
	}
	cs := rankCulprits(p, &condState{})
	top := cs[0]
	op := busiestGPUOp(p)
	f := v.newFinding("cpu-preemption", p.node, op.name, p.pid, sev, share)
	var who []string
	for i, c := range cs[:min(len(cs), 3)] {
		if i == 0 || c.preempts > 0 {
			who = append(who, culpritPhrase(c, p, i == 0))
		}
	}
	f.RootCause = strings.Join(who, "; ") + fmt.Sprintf(": %s spent %s off-CPU (%s of its wall time) between its CUDA calls",
		p.comm, fmtDur(offNs), fmtPct(share))
	if cleanRate > 0 {
		f.Summary = fmt.Sprintf("GPU calls %s fewer per second while preempted (%s/s against %s/s) — CPU preemption by %s",
			fmtPct(drop), fmtRateN(hitRate), fmtRateN(cleanRate), top.comm)
		f.RootCause += fmt.Sprintf(", and in the seconds it was preempted it made %s fewer GPU calls (%s/s against %s/s)",
			fmtPct(drop), fmtRateN(hitRate), fmtRateN(cleanRate))
	} else {
		f.Summary = fmt.Sprintf("%s off-CPU between GPU calls (%s of wall time) — CPU preemption by %s", fmtDur(offNs), fmtPct(share), top.comm)
	}
	f.RootCause += ": the loop waits for the CPU, not the GPU, so no CUDA call is slower but fewer are made."
	f.Fix = preemptFix(top, p)

	if top.preempts > 0 {
		f.add(top.firstPreempt, event.SourceHost.Layer(), fmt.Sprintf("sched_switch: %s preempted %s (%s times, %s off-CPU in all)",
			procName(top.comm, top.pid), p.label(), fmtCount(top.preempts), fmtDur(top.offNs)))
	}
	if cleanRate > 0 {
		f.add(tb.start(firstHit), event.SourceCUDA.Layer(), fmt.Sprintf("GPU calls fell to %s/s (%s/s unpreempted)", fmtRateN(hitRate), fmtRateN(cleanRate)))
	}
	if top.onNs > 0 {
		f.add(top.peak.t, event.SourceHost.Layer(), fmt.Sprintf("cpu_contention: %s ran %s on CPU %d in one summary",
			top.comm, fmtDur(top.peak.d), top.peakCPU))
	}

	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["between_calls"] = true
	f.Evidence["off_cpu_ns"], f.Evidence["off_cpu_share"] = offNs, round4(share)
	f.Evidence["preempted_seconds"], f.Evidence["clean_seconds"] = float64(hit)*secs, float64(clean)*secs
	f.Evidence["gpu_calls_per_s_preempted"] = round2(hitRate)
	if cleanRate > 0 {
		f.Evidence["gpu_calls_per_s_clean"] = round2(cleanRate)
		f.Evidence["drop"] = round4(drop)
	}
	f.Evidence["excluded_preemptions"] = p.ownPreempts
	var list []map[string]any
	for _, c := range cs {
		list = append(list, map[string]any{"pid": c.pid, "comm": c.comm, "preemptions": c.preempts,
			"off_cpu_ns": c.offNs, "on_cpu_ns": c.onNs, "switches": c.switches})
	}
	f.Evidence["culprits"] = list
	if cpus := top.cpus.list(); len(cpus) > 0 {
		f.Evidence["cpus"] = cpus
	}
	return f.done()
}

// busiestGPUOp is the GPU op the process called most: the one whose rate
// shows the loop's pace.
func busiestGPUOp(p *proc) *opState {
	var best *opState
	for _, o := range p.opList {
		if o.gpu && (best == nil || o.h.Count() > best.h.Count()) {
			best = o
		}
	}
	return best
}
