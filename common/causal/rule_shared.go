package causal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ingero.dev/common/event"
)

// ruleGPUShared: other processes launched work on the same GPU throughout
// the process's run. Unlike multi-process-contention it needs no period
// alone to compare with: two jobs sharing a GPU for their whole lives
// each get a fraction of it, whatever their latencies look like. The
// shares are of the GPU calls made in the process's span.
func ruleGPUShared(v *view, p *proc) []*finding {
	if p.gpuCalls < minGPUCalls {
		return nil
	}
	tb := &v.e.tb
	first, last := tb.index(p.gpuFirst), tb.index(p.gpuLast)
	secs := last - first + 1
	if secs < sharedMinSeconds {
		return nil
	}
	type tenant struct {
		q            *proc
		calls, along int64 // its calls within p's span; seconds of p's in which it called
	}
	var ts []tenant
	var own, all int64
	for i := first; i <= last; i++ {
		own += p.gpuRate.at(tb, i)
	}
	all = own
	for _, q := range v.e.gpuProcs {
		if q == p || q.gpuCalls < minGPUCalls || !sameGPU(p, q) {
			continue
		}
		t := tenant{q: q}
		for i := first; i <= last; i++ {
			if n := q.gpuRate.at(tb, i); n > 0 {
				t.calls += n
				t.along++
			}
		}
		if float64(t.along) >= sharedThroughout*float64(secs) {
			ts = append(ts, t)
			all += t.calls
		}
	}
	if len(ts) == 0 || all == 0 {
		return nil
	}
	// One chain per shared GPU: the busiest of the explained sharers
	// carries it and names the others.
	for _, t := range ts {
		if t.q.selected && (t.q.gpuCalls > p.gpuCalls || t.q.gpuCalls == p.gpuCalls && t.q.pid < p.pid) {
			return nil
		}
	}
	slices.SortFunc(ts, func(a, b tenant) int { return cmp.Or(cmp.Compare(b.calls, a.calls), cmp.Compare(a.q.pid, b.q.pid)) })
	others := 1 - float64(own)/float64(all)
	var syncNs int64
	for _, o := range p.opList {
		if o.gpu && o.class == event.ClassSync {
			syncNs += o.h.Sum()
		}
	}
	syncShare := float64(syncNs) / float64(p.gpuSpan())
	sev := event.SeverityMedium
	if others >= sharedHighOthers && syncShare >= sharedHighSyncWait {
		sev = event.SeverityHigh
	}
	op := busiestGPUOp(p)
	f := v.newFinding("gpu-shared", p.node, op.name, p.pid, sev, others)
	gpu := "its GPU"
	if p.gpu >= 0 {
		gpu = fmt.Sprintf("GPU %d", p.gpu)
	}
	var names, phrases []string
	for _, t := range ts[:min(len(ts), 3)] {
		names = append(names, t.q.comm)
		phrases = append(phrases, fmt.Sprintf("%s made %s GPU calls (%s of the GPU's) in %s of its %d seconds",
			t.q.label(), fmtCount(t.calls), fmtPct(float64(t.calls)/float64(all)), fmtPct(float64(t.along)/float64(secs)), secs))
	}
	f.Summary = fmt.Sprintf("%s shared with %s for the whole run — %s made %s of the GPU calls", gpu, strings.Join(names, ", "), p.comm, fmtPct(1-others))
	f.RootCause = fmt.Sprintf("%s shared %s throughout its %s: %s. %s made %s of the calls and waited in syncs for %s of its time: the GPU's time is split between the jobs, with no period alone in the window.",
		p.label(), gpu, fmtDur(p.gpuSpan()), strings.Join(phrases, "; "), p.comm, fmtPct(1-others), fmtPct(syncShare))
	f.Fix = fmt.Sprintf("Give each job its own GPU (CUDA_VISIBLE_DEVICES, or schedule %s elsewhere); where they must share, partition the GPU (MIG) "+
		"or run both under CUDA MPS with CUDA_MPS_ACTIVE_THREAD_PERCENTAGE so each gets a fixed share.", ts[0].q.label())
	layer := op.key.Source.Layer()
	f.add(p.gpuFirst, layer, fmt.Sprintf("%s starts on %s", p.label(), gpu))
	f.add(max(ts[0].q.gpuFirst, p.gpuFirst), layer, fmt.Sprintf("%s launching on %s too", ts[0].q.label(), gpu))
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["gpu"] = p.gpu
	f.Evidence["seconds"] = secs
	f.Evidence["own_calls"] = own
	f.Evidence["own_share"] = round4(1 - others)
	f.Evidence["sync_wait_share"] = round4(syncShare)
	var list []map[string]any
	for _, t := range ts {
		list = append(list, map[string]any{"pid": t.q.pid, "comm": t.q.comm, "gpu_calls": t.calls,
			"share": round4(float64(t.calls) / float64(all)), "seconds": t.along})
	}
	f.Evidence["cotenants"] = list
	return []*finding{f.done()}
}
