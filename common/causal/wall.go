package causal

import (
	"fmt"
	"slices"
	"strings"

	"ingero.dev/common/event"
)

// Thresholds of the rules read from the wall-time account (docs/rules.md
// quotes them).
const (
	// host-bound: the GPU idle while the launching thread works on the
	// CPU or sleeps between calls, as a share of its life.
	hostMinCalls    = 100
	hostMinGaps     = 5
	hostMediumShare = 0.15
	hostHighShare   = 0.30
	// block-io in the loop: the launching thread blocked in D state
	// between calls, as a share of its life.
	loopIOMinShare  = 0.02
	loopIOHighShare = 0.05
	// gpu-shared: another process launched on the same GPU in at least
	// sharedThroughout of the process's seconds, over at least
	// sharedMinSeconds of them.
	sharedThroughout   = 0.8
	sharedMinSeconds   = 3
	sharedHighOthers   = 0.25 // the others' share of the GPU's calls for HIGH …
	sharedHighSyncWait = 0.20 // … with the process waiting in syncs this share of its span
)

// launcher is the settled account of the thread of p that made the most
// GPU calls: the loop the GPU waits on. ok is false without scheduler
// data, when the account cannot tell on-CPU from off-CPU time.
func (v *view) launcher(p *proc) (account, bool) {
	if !p.sched {
		return account{}, false
	}
	var best *account
	for _, a := range p.threadList {
		if a.first != 0 && (best == nil || a.gpuCalls > best.gpuCalls) {
			best = a
		}
	}
	if best == nil || best.gpuCalls == 0 {
		return account{}, false
	}
	end := v.end
	if end == 0 {
		end = v.e.lastNs
	}
	return best.closed(end, p.exitNs, !v.e.busyElsewhere(p, best.callEnd)), true
}

// life is the account's time before the process exited.
func (a *account) life() int64 { return max(a.wall()-a.ns[exited], 1) }

// standDown drops a process's gpu-starvation finding when host-bound or
// block-io in the loop read the same idle time from the account: one
// cause, named once, the most specific way.
func standDown(fs []*finding) []*finding {
	memoryOutranksLoopWork(fs)
	specific := slices.ContainsFunc(fs, func(f *finding) bool {
		return f.Rule == "host-bound" || f.Rule == "block-io" && f.Evidence["between_calls"] == true
	})
	if !specific {
		return fs
	}
	checkpointOutranksHostWork(fs)
	return slices.DeleteFunc(fs, func(f *finding) bool { return f.Rule == "gpu-starvation" })
}

// checkpointOutranksHostWork ranks host-bound below block-io in the loop
// when both read the same launching thread and that thread wrote to disk
// itself: torch.save serialises the state and write() copies it into the
// page cache on that thread, CPU time its account books as work between
// calls. The D-state waits leave no doubt about the checkpoint; the
// on-CPU share does (on an H200 a loop checkpointing 128 MiB every five
// steps read "GPU idle 50% while python prepares the next step" first,
// and its clean twin had no host-bound chain at all).
func checkpointOutranksHostWork(fs []*finding) {
	for _, io := range fs {
		written, _ := io.Evidence["write_bytes"].(int64)
		if io.Rule != "block-io" || io.Evidence["between_calls"] != true || written == 0 {
			continue
		}
		for _, h := range fs {
			if h.Rule != "host-bound" || h.Evidence["tid"] != io.Evidence["tid"] {
				continue
			}
			h.Severity = max(min(h.Severity, io.Severity-1), event.SeverityLow)
			h.Summary = strings.Replace(h.Summary, "prepares the next step on the CPU", "works on the CPU between steps, its checkpoint included", 1)
			h.RootCause += fmt.Sprintf(" The same thread wrote %s to disk itself between calls (see the block-io chain, ranked first): "+
				"serialising a checkpoint and copying it into the page cache is CPU work on this thread, so part of this time is the checkpoint.",
				fmtBytes(written))
			h.Evidence["own_write_bytes"] = written
			h.Evidence["ranked_below"] = io.ID
		}
	}
}

// bucketsEvidence is the account as chain evidence.
func bucketsEvidence(a *account) map[string]any {
	m := make(map[string]any, numBuckets)
	for b, name := range bucketNames {
		m[name+"_ns"] = a.ns[b]
	}
	return m
}

// sevAtLeast returns HIGH or MEDIUM by a share and two thresholds, and
// false below the lower one.
func sevAtLeast(share, medium, high float64) (event.Severity, bool) {
	switch {
	case share >= high:
		return event.SeverityHigh, true
	case share >= medium:
		return event.SeverityMedium, true
	}
	return 0, false
}

// sharedStandsDown drops a gpu-shared chain when multi-process-contention
// already fired for one of the processes it names: that chain tells how
// the sharing slowed calls, with numbers, and the same cause is said once.
// gpu-shared speaks where sharing slowed no call measurably.
func sharedStandsDown(fs []*finding) []*finding {
	contended := map[procKey]bool{}
	for _, f := range fs {
		if f.Rule == "multi-process-contention" {
			contended[procKey{f.Node, f.PID}] = true
		}
	}
	if len(contended) == 0 {
		return fs
	}
	return slices.DeleteFunc(fs, func(f *finding) bool {
		if f.Rule != "gpu-shared" {
			return false
		}
		if contended[procKey{f.Node, f.PID}] {
			return true
		}
		list, _ := f.Evidence["cotenants"].([]map[string]any)
		for _, c := range list {
			if pid, ok := c["pid"].(uint32); ok && contended[procKey{f.Node, pid}] {
				return true
			}
		}
		return false
	})
}
