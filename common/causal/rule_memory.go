package causal

import (
	"fmt"
	"strings"

	"ingero.dev/common/event"
)

// ruleMemoryPressure: the training thread stalled on host memory (the
// memory probes' reclaim and fault time), or else an op's calls were
// slower while host memory was under pressure (memory nearly full, or
// swap growing).
func ruleMemoryPressure(v *view, p *proc) []*finding {
	if f := memoryStalls(v, p); f != nil {
		return []*finding{f}
	}
	h := v.e.hosts[p.node]
	if h == nil || h.pressureUntil(p.gpuLast) < pressureMinNs {
		return nil
	}
	ef, others, ok := bestEffect(p, condPressure)
	if !ok {
		return nil
	}
	f := v.newFinding("memory-pressure", p.node, ef.op.name, p.pid, ef.severity(), ef.impact)
	f.Summary = ef.summary("memory pressure and swapping")
	f.RootCause = fmt.Sprintf("Host memory was under pressure for %s (%d of %d snapshots; up to %.0f%% used, %d MiB available at the lowest, swap %s → %s); in %s, %s.",
		fmtDur(h.pressureUntil(p.gpuLast)), h.pressured, h.snaps, h.worstMem.MemPct, h.minAvail.MemAvailMB,
		fmtBytes(h.firstSwapMB<<20), fmtBytes(h.maxSwapMB<<20), p.label(),
		ef.sentence("while memory was under pressure"))
	if len(others) > 0 {
		f.RootCause += " Also slowed: " + strings.Join(others, ", ") + "."
	}
	f.Fix = "Free host memory for the job: find the largest consumers (`ps aux --sort=-rss | head`) and cap them with a cgroup memory limit; " +
		"lower DataLoader num_workers/prefetch_factor or memory-map the dataset instead of loading it; " +
		"keep the training host from swapping (`sysctl vm.swappiness=1`, or `swapoff -a` so a leak fails fast instead of thrashing)."
	fp := h.firstPressure
	f.add(fp.TimeNs, event.SourceSystem.Layer(), fmt.Sprintf("memory %.0f%% used, %d MiB available, swap %s", fp.MemPct, fp.MemAvailMB, fmtBytes(fp.SwapUsedMB<<20)))
	ms := h.maxSwap
	if ms.TimeNs != fp.TimeNs && ms.SwapUsedMB > fp.SwapUsedMB {
		f.add(ms.TimeNs, event.SourceSystem.Layer(), fmt.Sprintf("swap %s (+%s), memory %.0f%% used", fmtBytes(ms.SwapUsedMB<<20),
			fmtBytes((ms.SwapUsedMB-h.firstSwapMB)<<20), ms.MemPct))
	}
	tl := ef.worstEntry("under memory pressure")
	f.add(tl.TimeNs, tl.Layer, tl.Detail)

	ef.evidence(f.Evidence, "under_pressure")
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["pressure_snapshots"], f.Evidence["snapshots"] = h.pressured, h.snaps
	f.Evidence["pressure_ns"] = h.pressureUntil(p.gpuLast)
	f.Evidence["mem_pct_max"] = round2(h.worstMem.MemPct)
	f.Evidence["mem_avail_min_mb"] = h.minAvail.MemAvailMB
	f.Evidence["swap_first_mb"], f.Evidence["swap_max_mb"] = h.firstSwapMB, h.maxSwapMB
	if len(others) > 0 {
		f.Evidence["also_slowed"] = others
	}
	return []*finding{f.done()}
}
