package causal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ingero.dev/common/event"
)

// ruleCotenant: more than one process uses the GPU, and this one shows
// tail latency. With calls both with and without the other process
// active, the two are compared like any cause; when the other process
// was active throughout, the tail itself is the evidence.
func ruleCotenant(v *view, p *proc) []*finding {
	peers := cotenants(v.e, p)
	if len(peers) == 0 || p.gpuCalls < minGPUCalls {
		return nil
	}
	ef, others, ok := bestEffect(p, condCotenant)
	compared := ok
	if !ok {
		if ef, ok = tailUnderCotenant(p); !ok {
			return nil
		}
	}
	slices.SortStableFunc(peers, func(a, b *proc) int {
		if c := cmp.Compare(ef.cs.by[peerKey{b.pid, b.comm}], ef.cs.by[peerKey{a.pid, a.comm}]); c != 0 {
			return c
		}
		return cmp.Compare(b.gpuCalls, a.gpuCalls)
	})
	top := peers[0]
	sev := ef.severity()
	if !compared {
		sev = event.SeverityMedium
		if ef.impact >= highImpact && ef.spread >= cotenantHighSpread {
			sev = event.SeverityHigh
		}
	}
	f := v.newFinding("multi-process-contention", p.node, ef.op.name, p.pid, sev, ef.impact)
	gpu := "the GPU"
	if p.gpu >= 0 {
		gpu = fmt.Sprintf("GPU %d", p.gpu)
	}
	f.Summary = ef.summary(gpu + " shared with " + top.comm)
	var who []string
	for _, q := range peers[:min(len(peers), 3)] {
		who = append(who, strings.TrimSuffix(q.label(), ")")+fmt.Sprintf(", %s GPU calls)", fmtCount(q.gpuCalls)))
	}
	f.RootCause = fmt.Sprintf("%s shares %s with %s. ", p.label(), gpu, strings.Join(who, ", "))
	while := "while " + top.comm + " was using the GPU"
	if compared {
		f.RootCause += ef.sentence(while) + "."
	} else {
		f.RootCause += fmt.Sprintf("%s of its %s calls ran %s, so there is no uncontended baseline to compare with; but %s of them took more than %s, twice the %s it needs at best (p50 %s, p99 %s), adding %s (%s of its wall time).",
			fmtPct(ef.base), ef.op.name, while, fmtCount(ef.tailN), fmtDur(ef.thr), fmtDur(ef.medOther), fmtDur(ef.p50), fmtDur(ef.p99),
			fmtDur(ef.excessNs), fmtPct(ef.impact))
	}
	if len(others) > 0 {
		f.RootCause += " Also slowed: " + strings.Join(others, ", ") + "."
	}
	f.Fix = fmt.Sprintf("Give each job its own GPU (CUDA_VISIBLE_DEVICES), or partition the GPU with MIG, or run both under CUDA MPS with a cap on %s "+
		"(CUDA_MPS_ACTIVE_THREAD_PERCENTAGE); otherwise schedule %s outside the training run.", top.comm, top.comm)

	f.add(top.gpuFirst, event.SourceCUDA.Layer(), fmt.Sprintf("%s starts GPU calls on %s", top.label(), gpu))
	tl := ef.worstEntry(while)
	f.add(tl.TimeNs, tl.Layer, tl.Detail)

	ef.evidence(f.Evidence, "contended")
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["gpu"] = p.gpu
	f.Evidence["baseline"] = compared
	if !compared {
		f.Evidence["spread"] = round2(ef.spread)
	}
	var list []map[string]any
	for _, q := range peers {
		list = append(list, map[string]any{"pid": q.pid, "comm": q.comm, "gpu_calls": q.gpuCalls,
			"slowed_calls": ef.cs.by[peerKey{q.pid, q.comm}]})
	}
	f.Evidence["cotenants"] = list
	if len(others) > 0 {
		f.Evidence["also_slowed"] = others
	}
	return []*finding{f.done()}
}

// cotenants lists the other processes that made GPU calls on p's GPU.
func cotenants(e *engine, p *proc) []*proc {
	var out []*proc
	for _, q := range e.gpuProcs {
		if q != p && q.gpuCalls >= minGPUCalls && sameGPU(p, q) {
			out = append(out, q)
		}
	}
	return out
}

// tailUnderCotenant finds the op with the costliest tail when most of its
// calls overlapped another process's GPU use. A tail is p99 ≥ 3×p50, or
// p90 ≥ 2.5×p10 when a share of the calls is delayed and the median sits
// between the fast and the slow group; the excess is the time calls
// spent above twice the baseline (p50, or p10 for the second kind). Without a baseline
// only a wide spread (cotenantHighSpread) makes the finding HIGH: a
// natural log-normal tail reaches 3x at σ≈0.5 but 5x only at σ≈0.7.
func tailUnderCotenant(p *proc) (best effect, ok bool) {
	for _, o := range p.opList {
		cs := o.conds[condCotenant]
		n := int64(o.h.Count())
		if cs == nil || n < minCalls || !o.gpu {
			continue
		}
		ef := effect{op: o, cs: cs, n: n, under: int64(cs.h.Count())}
		ef.p50, ef.p95, ef.p99 = o.h.Quantile(0.5), o.h.Quantile(0.95), o.h.Quantile(0.99)
		p10, p90 := o.h.Quantile(0.1), o.h.Quantile(0.9)
		ef.base = float64(ef.under) / float64(n)
		if ef.p50 <= 0 || p10 <= 0 || ef.base < 0.5 {
			continue
		}
		baseline := ef.p50
		ef.spread = ratio(float64(ef.p99), float64(ef.p50))
		low := ratio(float64(p90), float64(p10))
		switch {
		case ef.spread >= tailRatio && ef.spread >= low:
		case low >= cotenantSpread:
			baseline, ef.spread = p10, low
		default:
			continue
		}
		ef.other = n - ef.under
		ef.thr = 2 * baseline
		ef.tailN, ef.tailUnder = countAbove(&o.h, ef.thr), countAbove(&cs.h, ef.thr)
		ef.tailShare = ratio(float64(ef.tailUnder), float64(ef.tailN))
		ef.medUnder = cs.h.Quantile(0.5)
		ef.medOther = baseline
		ef.slowdown = ratio(float64(ef.medUnder), float64(baseline))
		ef.excessNs = excessAbove(&o.h, ef.thr, baseline)
		ef.impact = float64(ef.excessNs) / float64(p.gpuSpan())
		if ef.impact < minImpact {
			continue
		}
		if !ok || ef.excessNs > best.excessNs {
			best, ok = ef, true
		}
	}
	return best, ok
}
