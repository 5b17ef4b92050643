package causal

import "fmt"

// ruleHostBound: the GPU sits idle while the thread that feeds it is busy
// on the CPU between calls (preparing the next batch in Python) or asleep
// waiting for it (DataLoader workers, a queue). Read from the launching
// thread's wall-time account: only gaps after a sync count as idle, and
// not while another call of the process or another process used the GPU.
func ruleHostBound(v *view, p *proc) []*finding {
	if p.gpuCalls < hostMinCalls {
		return nil
	}
	a, ok := v.launcher(p)
	if !ok || a.idleGaps < hostMinGaps {
		return nil
	}
	life := a.life()
	onIdle, sleepIdle := a.idle[onCPU], a.idle[sleeping]
	// Time spent waiting for a CPU is cpu-preemption's: judged against
	// the time the thread was not kept from running, host work stands out
	// the same on a busy machine as on an idle one.
	own := max(life-a.ns[runnable], 1)
	share := float64(onIdle+sleepIdle) / float64(own)
	sev, ok := sevAtLeast(share, hostMediumShare, hostHighShare)
	if !ok {
		return nil
	}
	lifeShare := float64(onIdle+sleepIdle) / float64(life)
	op := busiestGPUOp(p)
	f := v.newFinding("host-bound", p.node, op.name, p.pid, sev, share)
	thread := fmt.Sprintf("%s (TID %d)", a.comm, a.tid)
	if a.tid == p.pid {
		thread = "its main thread"
	}
	what := "prepares the next step on the CPU"
	if sleepIdle > onIdle {
		what = "waits, asleep, for its input"
	}
	f.Summary = fmt.Sprintf("GPU idle %s of the time while %s %s — host-bound", fmtPct(lifeShare), p.comm, what)
	f.RootCause = fmt.Sprintf("%s left the GPU idle for %s of its %s (%s gaps after a sync, longest %s): %s was ",
		p.label(), fmtPct(lifeShare), fmtDur(life), fmtCount(a.idleGaps), fmtDur(a.longIdle.d), thread)
	onPhrase := fmt.Sprintf("on the CPU between CUDA calls for %s of it (Python-side work: building the batch, preprocessing, the framework's own overhead)",
		fmtDur(onIdle))
	sleepPhrase := fmt.Sprintf("asleep for %s of it, waiting on DataLoader workers, a queue or a lock", fmtDur(sleepIdle))
	switch {
	case onIdle > 0 && sleepIdle > 0 && onIdle >= sleepIdle:
		f.RootCause += onPhrase + ", and " + sleepPhrase
	case onIdle > 0 && sleepIdle > 0:
		f.RootCause += sleepPhrase + ", and " + onPhrase
	case sleepIdle > 0:
		f.RootCause += sleepPhrase
	default:
		f.RootCause += onPhrase
	}
	if a.ns[runnable] > 0 && own < life {
		f.RootCause += fmt.Sprintf(" — %s of the time it was not waiting for a CPU", fmtPct(share))
	}
	f.RootCause += fmt.Sprintf(". Its CUDA calls took %s of its time: the GPU waits on the host, not the other way round.",
		fmtPct(float64(a.ns[inCUDA])/float64(life)))
	if busy, dev, ok := v.e.gpuBusy(p.node, p.gpu, p.pid, a.first, a.at); ok {
		f.RootCause += fmt.Sprintf(" NVML agrees: GPU %d was busy %s of the time on average.", dev, fmtPct(busy))
		f.Evidence["nvml_gpu_busy"] = round4(busy)
	}
	f.Fix = "Feed the GPU from other cores: DataLoader(num_workers=N, pin_memory=True, persistent_workers=True, prefetch_factor=4) " +
		"so batches are ready before the step needs them, with non_blocking=True copies; move preprocessing to the GPU (e.g. NVIDIA DALI) or cache it; " +
		"for launch-bound code capture the step with CUDA graphs or torch.compile(mode=\"reduce-overhead\"); keep .item(), logging and metrics out of the hot loop."
	layer := op.key.Source.Layer()
	f.add(a.firstIdle.t, layer, fmt.Sprintf("GPU drained; %s's next CUDA call came %s later", a.comm, fmtDur(a.firstIdle.d)))
	if a.longIdle.t != a.firstIdle.t {
		f.add(a.longIdle.t, layer, fmt.Sprintf("longest idle gap %s", fmtDur(a.longIdle.d)))
	}
	f.Evidence["pid"], f.Evidence["comm"], f.Evidence["tid"] = p.pid, p.comm, a.tid
	f.Evidence["life_ns"] = life
	f.Evidence["gpu_idle_share"] = round4(lifeShare)
	f.Evidence["gpu_idle_share_unpreempted"] = round4(share)
	f.Evidence["runnable_ns"] = a.ns[runnable]
	f.Evidence["gpu_idle_on_cpu_ns"] = onIdle
	f.Evidence["gpu_idle_sleeping_ns"] = sleepIdle
	f.Evidence["idle_gaps"] = a.idleGaps
	f.Evidence["longest_idle_gap_ns"] = a.longIdle.d
	f.Evidence["cuda_share"] = round4(float64(a.ns[inCUDA]) / float64(life))
	f.Evidence["account"] = bucketsEvidence(&a)
	return []*finding{f.done()}
}
