package causal

import (
	"fmt"

	"ingero.dev/common/event"
)

// dropCauses compares what else happened during a drop (buckets [lo, hi))
// with the rest of the process's run ([first, last)): factors that rose
// at least threefold to a level that matters are named.
func dropCauses(v *view, p *proc, lo, hi, first, last int) (causes, fixes []string, entries []event.TimelineEntry) {
	tb := &v.e.tb
	secs := float64(tb.width) / 1e9
	rates := func(s *series) (during, before float64) {
		in := s.sumRange(tb, lo, hi)
		out := s.sumRange(tb, first, last) - in
		rest := float64(last - first - (hi - lo))
		if rest <= 0 {
			rest = 1
		}
		return float64(in) / float64(hi-lo) / secs, float64(out) / rest / secs
	}
	rose := func(during, before, floor float64) bool { return during >= floor && during >= 3*before }

	if d, b := rates(&p.preemptSeries); rose(d, b, 10e6) {
		causes = append(causes, fmt.Sprintf("other tasks kept %s off-CPU for %s per second (against %s before)", p.comm, fmtDur(int64(d)), fmtDur(int64(b))))
		fixes = append(fixes, "Stop the CPU preemption (see the cpu-preemption chain): renice the competing tasks or pin the workload to dedicated cores.")
		entries = append(entries, event.TimelineEntry{Layer: event.SourceHost.Layer(), Detail: fmt.Sprintf("preemption off-CPU %s/s", fmtDur(int64(d)))})
	} else if d, b := rates(&p.contendSeries); rose(d, b, 100e6) {
		causes = append(causes, fmt.Sprintf("other tasks ran %s per second on its CPUs (against %s before)", fmtDur(int64(d)), fmtDur(int64(b))))
		fixes = append(fixes, "Keep other work off the workload's cores: renice it or pin the workload (taskset, cgroup cpuset).")
		entries = append(entries, event.TimelineEntry{Layer: event.SourceHost.Layer(), Detail: fmt.Sprintf("other tasks on its CPUs %s/s", fmtDur(int64(d)))})
	}
	if d, b := rates(&v.e.io.bytes); rose(d, b, 10<<20) {
		causes = append(causes, fmt.Sprintf("block IO rose to %s/s (from %s/s)", fmtBytes(int64(d)), fmtBytes(int64(b))))
		fixes = append(fixes, "Move bulk IO (checkpoints, logs, dataset reads) off the training path or lower its priority with ionice -c3.")
		entries = append(entries, event.TimelineEntry{Layer: event.SourceIO.Layer(), Detail: fmt.Sprintf("block IO %s/s", fmtBytes(int64(d)))})
	}
	if h := v.e.hosts[p.node]; h != nil {
		in := h.series.sumRange(tb, lo, hi)
		if float64(in) >= 0.5*float64(hi-lo)*secs && h.pressured > 0 {
			causes = append(causes, fmt.Sprintf("host memory was under pressure in %d snapshots", in))
			fixes = append(fixes, "Relieve host memory pressure (see the memory-pressure chain): cap other consumers or reduce the job's host memory use.")
			entries = append(entries, event.TimelineEntry{Layer: event.SourceSystem.Layer(), Detail: "memory under pressure"})
		}
	}
	var gpuIn, gpuOut float64
	for _, q := range cotenants(v.e, p) {
		d, b := rates(&q.gpuRate)
		gpuIn, gpuOut = gpuIn+d, gpuOut+b
	}
	if rose(gpuIn, gpuOut, 10) {
		causes = append(causes, fmt.Sprintf("other processes made %s GPU calls per second on the same GPU (from %s)", fmtRateN(gpuIn), fmtRateN(gpuOut)))
		fixes = append(fixes, "Keep other GPU jobs off this GPU during training (CUDA_VISIBLE_DEVICES, MIG or MPS limits).")
		entries = append(entries, event.TimelineEntry{Layer: event.SourceCUDA.Layer(), Detail: fmt.Sprintf("co-tenant GPU calls %s/s", fmtRateN(gpuIn))})
	}
	return causes, fixes, entries
}
