package causal

import (
	"fmt"
	"strings"
	"time"

	"ingero.dev/common/event"
)

// Memory stalls of the training thread (bpf/memory's events): the share
// of its time spent in reclaim, compaction or major page faults.
const (
	memStallMinNs     = int64(100 * time.Millisecond)
	memStallLowShare  = 0.02
	memStallMedShare  = 0.05
	memStallHighShare = 0.20
)

// memoryStalls is memory-pressure from the memory probes: the thread the
// GPU waits on (the launcher, else the main thread) stalled on host memory
// for a share of its life. Unlike the snapshot test it needs no host-wide
// shortage: a cgroup at its memory.max reclaims and faults for one job
// while the host has memory to spare.
func memoryStalls(v *view, p *proc) *finding {
	if p.memory == nil || p.gpuCalls == 0 {
		return nil
	}
	tid, life := p.pid, p.gpuSpan()
	if a, ok := v.launcher(p); ok {
		tid, life = a.tid, a.life()
	}
	m := p.memOf(tid)
	if m == nil || m.ns() < memStallMinNs {
		return nil
	}
	share := float64(m.ns()) / float64(life)
	sev, ok := sevAtLeast(share, memStallMedShare, memStallHighShare)
	if !ok && share >= memStallLowShare {
		sev, ok = event.SeverityLow, true
	}
	if !ok {
		return nil
	}
	op := busiestGPUOp(p)
	if op == nil {
		return nil
	}
	f := v.newFinding("memory-pressure", p.node, op.name, p.pid, sev, share)
	var parts []string
	if m.reclaims > 0 {
		why := "the host was short of memory"
		if m.cgroupReclaims == m.reclaims {
			why = "its cgroup was at its memory limit"
		} else if m.cgroupReclaims > 0 {
			why = fmt.Sprintf("%s of them at its cgroup's memory limit", fmtCount(m.cgroupReclaims))
		}
		parts = append(parts, fmt.Sprintf("reclaiming memory before it could allocate %s in %s %s (%s pages freed; %s)",
			fmtDur(m.reclaimNs), fmtCount(m.reclaims), plural(m.reclaims, "stall", "stalls"), fmtCount(m.pagesReclaimed), why))
	}
	if m.compactions > 0 {
		parts = append(parts, fmt.Sprintf("compacting memory %s in %s %s", fmtDur(m.compactNs), fmtCount(m.compactions), plural(m.compactions, "stall", "stalls")))
	}
	if m.fileFaults > 0 {
		parts = append(parts, fmt.Sprintf("blocked in %s major page %s reading memory-mapped files back %s", fmtCount(m.fileFaults), plural(m.fileFaults, "fault", "faults"), fmtDur(m.fileNs)))
	}
	if m.swapIns > 0 {
		parts = append(parts, fmt.Sprintf("blocked in %s %s from swap %s", fmtCount(m.swapIns), plural(m.swapIns, "swap-in", "swap-ins"), fmtDur(m.swapNs)))
	}
	if m.minorNs > 0 {
		parts = append(parts, fmt.Sprintf("blocked in minor faults %s, on pages another fault or readahead was already bringing back", fmtDur(m.minorNs)))
	}
	f.Summary = fmt.Sprintf("%s's training thread waited on host memory %s of its time (%s): reclaim and page faults — memory pressure", p.comm, fmtPct(share), fmtDur(m.ns()))
	f.RootCause = fmt.Sprintf("%s's training thread (TID %d) spent %s (%s of its %s) waiting on host memory: %s.",
		p.label(), tid, fmtDur(m.ns()), fmtPct(share), fmtDur(life), strings.Join(parts, "; "))
	if pm := p.memory; pm.rssMax > 0 {
		f.RootCause += fmt.Sprintf(" Its resident memory peaked at %s", fmtBytes(pm.rssMax))
		if pm.swapMax > 0 {
			f.RootCause += fmt.Sprintf(", with up to %s swapped out", fmtBytes(pm.swapMax))
		}
		f.RootCause += "."
	}
	f.RootCause += " Its working set does not fit the memory it may use, so the kernel keeps taking pages away and the loop keeps waiting for them back."
	f.Fix = "Give the job more host memory (raise its cgroup's memory.max or the container's limit, or a larger node), or shrink its working set: " +
		"budget pinned memory (pin_memory=True pins batch × prefetch_factor per DataLoader worker), use fewer DataLoader workers (num_workers) — each holds its own copy of what it loads — " +
		"and memory-map the dataset rather than loading it whole; keep swapping off the loop's path (`sysctl vm.swappiness=10`, or no swap so an overrun fails fast)."
	f.add(m.first, event.SourceHost.Layer(), fmt.Sprintf("%s (TID %d) first stalls on host memory", p.comm, tid))
	if m.worst.t != 0 {
		f.add(m.worst.t, event.SourceHost.Layer(), fmt.Sprintf("longest single reclaim or compaction stall: %s", fmtDur(m.worst.d)))
	}
	f.add(max(p.gpuLast, m.first), event.SourceHost.Layer(), fmt.Sprintf("%s waited on memory in all: %s", p.comm, fmtDur(m.ns())))
	e := f.Evidence
	e["pid"], e["comm"], e["tid"] = p.pid, p.comm, tid
	e["stall_ns"], e["stall_share"], e["life_ns"] = m.ns(), round4(share), life
	e["reclaims"], e["cgroup_reclaims"], e["reclaim_ns"], e["pages_reclaimed"] = m.reclaims, m.cgroupReclaims, m.reclaimNs, m.pagesReclaimed
	e["compactions"], e["compaction_ns"] = m.compactions, m.compactNs
	e["file_faults"], e["file_fault_ns"] = m.fileFaults, m.fileNs
	e["swap_ins"], e["swap_in_ns"] = m.swapIns, m.swapNs
	e["minor_fault_blocked_ns"] = m.minorNs
	e["rss_max_bytes"], e["swap_max_bytes"] = p.memory.rssMax, p.memory.swapMax
	return f.done()
}

// memoryOutranksLoopWork ranks host-bound and block-io in the loop below
// memory-pressure when they read the same thread that stalled on memory:
// reclaim runs on that thread's CPU, and the pages taken from it are read
// back from disk on it, so their time is partly the memory shortage (on a
// cgroup-confined loop, reclaim was 2 s of the 3.3 s host-bound called
// Python work, and the dataset's re-reads were block-io's D state).
func memoryOutranksLoopWork(fs []*finding) {
	for _, m := range fs {
		stall, ok := m.Evidence["stall_ns"].(int64)
		if m.Rule != "memory-pressure" || !ok {
			continue
		}
		for _, f := range fs {
			if f.Rule != "host-bound" && (f.Rule != "block-io" || f.Evidence["between_calls"] != true) || f.Evidence["tid"] != m.Evidence["tid"] {
				continue
			}
			f.Severity = max(min(f.Severity, m.Severity-1), event.SeverityLow)
			f.RootCause += fmt.Sprintf(" The same thread waited on host memory for %s (see the memory-pressure chain, ranked first): "+
				"reclaim runs on its CPU and the pages taken from it are read back on it, so part of this time is the memory shortage.", fmtDur(stall))
			f.Evidence["ranked_below"] = m.ID
		}
	}
}
