package causal

import (
	"fmt"

	"ingero.dev/common/event"
)

// effect measures how much one condition slowed one op of a process, by
// comparing the calls that ran under it with those that did not.
type effect struct {
	op                 *opState
	cs                 *condState
	n, under, other    int64
	p50, p95, p99      int64
	medUnder, medOther int64
	slowdown           float64
	auc, z             float64
	spread             float64 // p99/p50 or p90/p10, for co-tenancy without a baseline
	thr                int64   // calls above it are the tail
	tailN, tailUnder   int64
	tailShare, base    float64
	explainsTail       bool
	slower             bool
	excessNs           int64
	impact             float64 // excessNs / the process's wall time
}

// measure compares the op's calls under condition c with the rest; ok is
// false when the condition neither explains the tail nor slows calls.
func measure(p *proc, o *opState, c cond) (ef effect, ok bool) {
	cs := o.conds[c]
	n := int64(o.h.Count())
	if cs == nil || n < minCalls || !o.gpu {
		return ef, false
	}
	ef = effect{op: o, cs: cs, n: n, under: int64(cs.h.Count())}
	ef.other = n - ef.under
	ef.p50, ef.p95, ef.p99 = o.h.Quantile(0.5), o.h.Quantile(0.95), o.h.Quantile(0.99)
	if ef.p50 <= 0 || ef.under < minUnder {
		return ef, false
	}
	ef.thr = max(ef.p95, 2*ef.p50)
	ef.tailN = countAbove(&o.h, ef.thr)
	ef.tailUnder = countAbove(&cs.h, ef.thr)
	ef.tailShare = ratio(float64(ef.tailUnder), float64(ef.tailN))
	ef.base = float64(ef.under) / float64(n)
	ef.medUnder = cs.h.Quantile(0.5)
	if ef.other >= minUnder {
		ef.medOther = quantileWithout(&o.h, &cs.h, 0.5)
		meanOther := float64(o.h.Sum()-cs.h.Sum()) / float64(ef.other)
		ef.excessNs = int64(float64(cs.h.Sum()) - float64(ef.under)*meanOther)
		ef.slowdown = ratio(float64(ef.medUnder), float64(ef.medOther))
	}
	ef.explainsTail = float64(ef.p99) >= tailRatio*float64(ef.p50) && ef.tailN >= 3 &&
		ef.tailShare >= tailExplained && ef.tailShare >= tailLift*ef.base
	ef.auc, ef.z = auc(&o.h, &cs.h)
	ef.slower = ef.other >= minUnder && ef.under >= slowdownCalls && ef.slowdown >= slowdownMin &&
		ef.auc >= slowdownAUC && ef.z >= slowdownZ
	if c == condPreempt {
		// The time preempted inside the calls bounds what preemption
		// can have cost them.
		ef.excessNs = min(ef.excessNs, cs.overlapNs)
	}
	ef.impact = float64(ef.excessNs) / float64(p.gpuSpan())
	return ef, (ef.explainsTail || ef.slower) && ef.excessNs > 0 && ef.impact >= minImpact
}

// bestEffect returns the op of p that condition c slowed most, and the
// names of the other ops it slowed too.
func bestEffect(p *proc, c cond) (best effect, others []string, ok bool) {
	for _, o := range p.opList {
		ef, fired := measure(p, o, c)
		if !fired {
			continue
		}
		if !ok || ef.excessNs > best.excessNs {
			if ok {
				others = append(others, best.op.name)
			}
			best, ok = ef, true
		} else {
			others = append(others, o.name)
		}
	}
	return best, others, ok
}

func (ef *effect) severity() event.Severity {
	switch {
	case ef.impact >= highImpact:
		return event.SeverityHigh
	case ef.impact >= mediumImpact:
		return event.SeverityMedium
	}
	return event.SeverityLow
}

func (ef *effect) tail() float64 { return ratio(float64(ef.p99), float64(ef.p50)) }

// summary is the spec's headline: "cudaStreamSynchronize p99=142ms (8.5x
// p50) — CPU preemption by logrotate" for a tail, or "cudaStreamSynchronize
// 1.7x slower (4.9ms against 2.9ms) — …" when the cause slowed calls
// without a tail.
func (ef *effect) summary(cause string) string {
	if !ef.explainsTail && ef.slower {
		return ef.op.name + " " + fmtX(ef.slowdown) + " slower (" + fmtDur(ef.medUnder) + " against " +
			fmtDur(ef.medOther) + ") — " + cause
	}
	return ef.op.name + " p99=" + fmtDur(ef.p99) + " (" + fmtX(ef.tail()) + " p50) — " + cause
}

// snapEntry is the host's state when the slowest affected call started.
func (ef *effect) snapEntry(f *finding) {
	if s := ef.cs.worstSnap; ef.cs.hasSnap {
		f.add(s.TimeNs, event.SourceSystem.Layer(), fmt.Sprintf("CPU %.0f%%, load %.1f, memory %.0f%%, swap %s",
			s.CPUPct, s.Load1, s.MemPct, fmtBytes(s.SwapUsedMB<<20)))
	}
}

// sentence says what the condition did to the op, with the numbers:
// while is "while a thread of python3 was preempted" and the like.
func (ef *effect) sentence(while string) string {
	s := ""
	if ef.explainsTail {
		s = fmtPct(ef.tailShare) + " of its " + ef.op.name + " calls slower than " + fmtDur(ef.thr) +
			" ran " + while + " (against " + fmtPct(ef.base) + " of all its calls)"
	}
	if ef.other >= minUnder {
		if s != "" {
			s += ", and "
		}
		s += ef.op.name + " calls " + while + " took " + fmtDur(ef.medUnder) + " at the median against " +
			fmtDur(ef.medOther) + " otherwise"
	}
	if ef.excessNs > 0 {
		s += ", adding " + fmtDur(ef.excessNs) + " (" + fmtPct(ef.impact) + " of its wall time)"
	}
	return s
}

// evidence adds the effect's numbers; under names the condition
// ("preempted", "under_pressure"…).
func (ef *effect) evidence(m map[string]any, under string) {
	m["op"] = ef.op.name
	m["calls"] = ef.n
	m["p50_ns"], m["p95_ns"], m["p99_ns"] = ef.p50, ef.p95, ef.p99
	m["tail_ratio"] = round2(ef.tail())
	m[under+"_calls"] = ef.under
	m["median_"+under+"_ns"] = ef.medUnder
	m["median_other_ns"] = ef.medOther
	m["slowdown"] = round2(ef.slowdown)
	m["auc"] = round4(ef.auc)
	m["tail_threshold_ns"] = ef.thr
	m["tail_calls"] = ef.tailN
	m["tail_"+under+"_calls"] = ef.tailUnder
	m["tail_share"] = round4(ef.tailShare)
	m["base_share"] = round4(ef.base)
	m["excess_ns"] = ef.excessNs
	m["impact"] = round4(ef.impact)
}

// worstEntry is the timeline entry of the slowest call under the
// condition.
func (ef *effect) worstEntry(while string) event.TimelineEntry {
	return event.TimelineEntry{TimeNs: ef.cs.worst.t, Layer: ef.op.key.Source.Layer(),
		Detail: ef.op.name + " " + fmtDur(ef.cs.worst.d) + " " + while + " (p50 " + fmtDur(ef.p50) + ")"}
}
