package causal

import (
	"fmt"
	"strings"

	"ingero.dev/common/event"
)

// blockedInLoop is block-io for IO the training loop does itself: a
// checkpoint written and fsynced between steps (torch.save in the loop)
// blocks the launching thread in D state between its CUDA calls, while the
// GPU waits. The evidence is the thread's own wall-time account and the
// block requests it submitted.
func blockedInLoop(v *view, p *proc) *finding {
	a, ok := v.launcher(p)
	if !ok {
		return nil
	}
	life := a.life()
	wait := a.ns[ioWait]
	if m := p.memOf(a.tid); m != nil {
		// Blocked in major page faults: memory-pressure's, not the disk's.
		wait = max(wait-m.fileNs-m.swapNs-m.minorNs, 0)
	}
	share := float64(wait) / float64(life)
	sev, ok := sevAtLeast(share, loopIOMinShare, loopIOHighShare)
	if !ok {
		return nil
	}
	op := busiestGPUOp(p)
	f := v.newFinding("block-io", p.node, op.name, p.pid, sev, share)
	io := &a.io
	var did []string
	if io.writeBytes > 0 {
		did = append(did, fmtBytes(io.writeBytes)+" written")
	}
	if io.readBytes > 0 {
		did = append(did, fmtBytes(io.readBytes)+" read")
	}
	if io.flushes > 0 {
		did = append(did, fmt.Sprintf("%s %s (fsync)", fmtCount(io.flushes), plural(io.flushes, "flush", "flushes")))
	}
	devs := make([]string, 0, len(io.devices))
	for _, d := range io.devices {
		devs = append(devs, devName(d))
	}
	own := "no block IO of its own was recorded, so the waits are page faults, a network filesystem or a kernel lock rather than its disk writes"
	if io.requests > 0 {
		own = fmt.Sprintf("it submitted %s block %s itself (%s", fmtCount(io.requests), plural(io.requests, "request", "requests"), strings.Join(did, ", "))
		if len(devs) > 0 {
			own += " on device " + strings.Join(devs, ", ")
		}
		own += ")"
	}
	f.Summary = fmt.Sprintf("%s blocked in IO %s of its time between CUDA calls (%s) — block IO in the training loop", p.comm, fmtPct(share), fmtDur(wait))
	f.RootCause = fmt.Sprintf("%s's launching thread (TID %d) spent %s (%s of its %s) blocked uninterruptibly (D state) between its CUDA calls, the GPU idle for %s of it: %s. "+
		"The loop itself waits on the disk, so no CUDA call is slower but every step that writes is.",
		p.label(), a.tid, fmtDur(wait), fmtPct(share), fmtDur(life), fmtDur(a.idle[ioWait]), own)
	f.Fix = "Take the writes off the training thread: save checkpoints asynchronously (torch.distributed.checkpoint.async_save, or copy the state to CPU and write it " +
		"from a background thread or process), checkpoint less often, and write to a fast local disk (NVMe) or /dev/shm and copy out later; avoid an fsync per step."
	if io.requests > 0 {
		f.add(io.first, event.SourceIO.Layer(), fmt.Sprintf("%s submits its own block IO: %s requests, %s", p.comm, fmtCount(io.requests), strings.Join(did, ", ")))
	}
	f.add(a.at, event.SourceHost.Layer(), fmt.Sprintf("%s blocked in D state %s between CUDA calls in all", p.comm, fmtDur(wait)))
	f.Evidence["pid"], f.Evidence["comm"], f.Evidence["tid"] = p.pid, p.comm, a.tid
	f.Evidence["between_calls"] = true
	f.Evidence["io_wait_ns"] = wait
	f.Evidence["io_wait_share"] = round4(share)
	f.Evidence["gpu_idle_io_wait_ns"] = a.idle[ioWait]
	f.Evidence["life_ns"] = life
	f.Evidence["requests"], f.Evidence["flushes"] = io.requests, io.flushes
	f.Evidence["read_bytes"], f.Evidence["write_bytes"] = io.readBytes, io.writeBytes
	f.Evidence["io_latency_ns"] = io.latencyNs
	f.Evidence["devices"] = devs
	f.Evidence["account"] = bucketsEvidence(&a)
	return f.done()
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
