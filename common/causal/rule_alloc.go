package causal

import (
	"fmt"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// ruleAllocChurn: device memory is allocated and freed again and again
// throughout the run (torch.cuda.empty_cache in the loop, or an allocator
// without a cache), and the calls cost real time.
func ruleAllocChurn(v *view, p *proc) []*finding {
	var allocs, frees, allocNs, freeNs int64
	var h hist.Histogram
	var op, freeOp *opState
	for _, o := range p.opList {
		if !o.gpu {
			continue
		}
		switch o.class {
		case event.ClassAlloc:
			allocs += int64(o.h.Count())
			allocNs += o.h.Sum()
			h.Merge(&o.h)
			if op == nil || o.h.Count() > op.h.Count() {
				op = o
			}
		case event.ClassFree:
			frees += int64(o.h.Count())
			freeNs += o.h.Sum()
			if freeOp == nil || o.h.Count() > freeOp.h.Count() {
				freeOp = o
			}
		}
	}
	if allocs < churnMinAllocs {
		return nil
	}
	span := p.gpuSpan()
	rate := float64(allocs) / (float64(span) / 1e9)
	spread := allocSpread(&v.e.tb, p)
	share := min(float64(allocNs+freeNs)/float64(span), 1)
	p50, p99 := h.Quantile(0.5), h.Quantile(0.99)
	if rate < churnMinRate || spread < churnMinSpread || share < churnMinShare && p99 < churnSlowP99 {
		return nil
	}
	sev := event.SeverityLow
	switch {
	case share >= churnHighShare && span >= int64(churnHighMinSpan):
		sev = event.SeverityHigh
	case share >= churnHighShare:
		sev = event.SeverityMedium
	case share >= churnMediumShare || p99 >= churnMediumP99:
		sev = event.SeverityMedium
	}
	f := v.newFinding("alloc-churn", p.node, op.name, p.pid, sev, share)
	f.Summary = fmt.Sprintf("%s %s/s, p99=%s — allocation churn costs %s of wall time", op.name, fmtRateN(rate), fmtDur(p99), fmtPct(share))
	f.RootCause = fmt.Sprintf("%s made %s device allocations (%s/s, in %s of seconds)", p.label(), fmtCount(allocs), fmtRateN(rate), fmtPct(spread))
	if freeOp != nil {
		f.RootCause += fmt.Sprintf(" and %s %s calls", fmtCount(frees), freeOp.name)
	}
	f.RootCause += fmt.Sprintf(", spending %s (%s of its wall time) in them; %s p50 %s, p99 %s (%s). The allocator keeps returning memory to the driver and asking for it again, as torch.cuda.empty_cache() in the training loop does.",
		fmtDur(allocNs+freeNs), fmtPct(share), op.name, fmtDur(p50), fmtDur(p99), fmtX(ratio(float64(p99), float64(p50))))
	f.Fix = "Remove torch.cuda.empty_cache() (and gc.collect()) from the training loop; keep tensor shapes stable or set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True; " +
		"preallocate buffers and reuse them; with raw CUDA use cudaMallocAsync and a memory pool instead of cudaMalloc/cudaFree per step."
	f.add(op.firstNs, op.key.Source.Layer(), fmt.Sprintf("%s: first of %s allocations", op.name, fmtCount(allocs)))
	f.add(op.slowest.t, op.key.Source.Layer(), fmt.Sprintf("%s took %s (p50 %s)", op.name, fmtDur(op.slowest.d), fmtDur(p50)))
	f.Evidence["pid"], f.Evidence["comm"], f.Evidence["op"] = p.pid, p.comm, op.name
	f.Evidence["allocs"], f.Evidence["frees"] = allocs, frees
	f.Evidence["alloc_ns"], f.Evidence["free_ns"] = allocNs, freeNs
	f.Evidence["allocs_per_s"] = round2(rate)
	f.Evidence["spread"] = round4(spread)
	f.Evidence["time_share"] = round4(share)
	f.Evidence["alloc_p50_ns"], f.Evidence["alloc_p99_ns"] = p50, p99
	return []*finding{f.done()}
}

// allocSpread is the share of the process's buckets with an allocation:
// churn goes on all run long, a warm-up does not.
func allocSpread(tb *timebase, p *proc) float64 {
	first, last := tb.index(p.gpuFirst), tb.index(p.gpuLast)
	busy := 0
	for i := first; i <= last; i++ {
		for _, o := range p.opList {
			if o.gpu && o.class == event.ClassAlloc && o.rate.at(tb, i) > 0 {
				busy++
				break
			}
		}
	}
	return float64(busy) / float64(last-first+1)
}
