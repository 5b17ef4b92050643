package causal

import (
	"fmt"
	"slices"

	"ingero.dev/common/event"
)

// The CUDA graph rules read a process's graph lifecycle (graph.go).
func ruleGraphs(v *view, p *proc) []*finding {
	g := v.e.graph[p.procKey]
	if g == nil {
		return nil
	}
	var out []*finding
	for _, r := range []func(*view, *proc, *graphState) *finding{
		graphCaptureOOM, graphCaptureWarmup, graphRecapture, graphNeverLaunched, graphLaunchContention,
	} {
		if f := r(v, p, g); f != nil {
			out = append(out, f.done())
		}
	}
	return out
}

// graphCaptureOOM: an allocation ran out of memory while a capture was
// open. Captured graphs keep their memory in a private pool, so capture is
// where a job near its limit runs out first.
func graphCaptureOOM(v *view, p *proc, g *graphState) *finding {
	if len(g.oom) == 0 {
		return nil
	}
	c := g.oom[0]
	f := v.newFinding("graph-capture-oom", p.node, c.fail.op, p.pid, event.SeverityHigh, float64(len(g.oom)))
	f.Summary = fmt.Sprintf("%s ran out of memory inside a CUDA graph capture (%s times)", c.fail.op, fmtCount(int64(len(g.oom))))
	f.RootCause = fmt.Sprintf("%s returned out-of-memory asking for %s at %s, while %s was capturing stream %#x into a CUDA graph: "+
		"memory allocated during capture stays in the graph's private pool for as long as the graph lives, on top of what the eager step holds.",
		c.fail.op, fmtBytes(int64(c.fail.size)), clock(c.fail.t, v.loc), p.label(), c.stream)
	f.Fix = "Capture at the batch size you run, after freeing eager-only memory (torch.cuda.empty_cache() before capture); share one pool among graphs " +
		"(torch.cuda.graph_pool_handle(), pool= in torch.cuda.graph), capture fewer shapes, or lower the batch size."
	f.add(c.begin, event.SourceGraph.Layer(), fmt.Sprintf("cudaStreamBeginCapture: stream %#x", c.stream))
	f.add(c.fail.t, event.SourceCUDA.Layer(), fmt.Sprintf("%s: out of memory (request of %s) inside the capture", c.fail.op, fmtBytes(int64(c.fail.size))))
	f.Evidence["pid"], f.Evidence["comm"], f.Evidence["op"] = p.pid, p.comm, c.fail.op
	f.Evidence["captures_oom"], f.Evidence["request_bytes"] = int64(len(g.oom)), c.fail.size
	f.Evidence["stream"] = fmt.Sprintf("%#x", c.stream)
	return f
}

// graphCaptureWarmup: a capture failed because a call inside it was not
// capturable, or never ended. The usual reason is the first capture of a
// step that was never run eagerly: cuBLAS, cuDNN or the allocator set
// themselves up lazily (cudaMalloc, a sync) inside the capture.
func graphCaptureWarmup(v *view, p *proc, g *graphState) *finding {
	broken := slices.Clone(g.broken)
	end := v.end
	if end == 0 {
		end = v.e.now
	}
	for _, c := range g.open {
		if c.fail.ret != errOutOfMemory && end-c.begin >= graphCaptureHangNs {
			broken = append(broken, captureTrouble{capture: *c})
		}
	}
	if len(broken) == 0 {
		return nil
	}
	slices.SortFunc(broken, func(a, b captureTrouble) int { return int(a.begin - b.begin) })
	c := broken[0]
	f := v.newFinding("graph-capture-warmup", p.node, "cudaStreamEndCapture", p.pid, event.SeverityMedium, float64(len(broken)))
	f.Summary = fmt.Sprintf("%s CUDA graph captures of %s failed", fmtCount(int64(len(broken))), p.label())
	switch {
	case c.end == 0:
		f.RootCause = fmt.Sprintf("A capture of stream %#x began at %s and had not ended %s later", c.stream, clock(c.begin, v.loc), fmtDur(end-c.begin))
	case c.fail.t != 0:
		f.RootCause = fmt.Sprintf("The capture of stream %#x failed (cudaStreamEndCapture returned %d) because %s returned %d inside it, at %s",
			c.stream, c.ret, c.fail.op, c.fail.ret, clock(c.fail.t, v.loc))
	default:
		f.RootCause = fmt.Sprintf("The capture of stream %#x failed: cudaStreamEndCapture returned %d at %s", c.stream, c.ret, clock(c.end, v.loc))
	}
	f.RootCause += ": a call that cannot be captured (an allocation, a synchronisation, a library setting itself up on first use) ran during capture, " +
		"which happens when the captured step was not run eagerly first."
	f.Fix = "Warm up before capturing: run the step 2-3 times eagerly on a side stream (as torch.cuda.graphs documents) so that cuBLAS/cuDNN workspaces, " +
		"lazy modules and allocator growth happen outside the capture; keep .item(), prints and host syncs out of the captured region."
	f.add(c.begin, event.SourceGraph.Layer(), fmt.Sprintf("cudaStreamBeginCapture: stream %#x (mode %d)", c.stream, c.mode))
	if c.fail.t != 0 {
		f.add(c.fail.t, event.SourceCUDA.Layer(), fmt.Sprintf("%s returned %d inside the capture", c.fail.op, c.fail.ret))
	}
	if c.end != 0 {
		f.add(c.end, event.SourceGraph.Layer(), fmt.Sprintf("cudaStreamEndCapture returned %d", c.ret))
	}
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["failed_captures"], f.Evidence["captures"] = int64(len(broken)), g.captures
	f.Evidence["stream"] = fmt.Sprintf("%#x", c.stream)
	if c.fail.t != 0 {
		f.Evidence["failed_call"], f.Evidence["failed_call_ret"] = c.fail.op, c.fail.ret
	}
	return f
}

// graphRecapture: the launch rate fell while the process kept capturing
// and instantiating graphs: it is re-capturing (new shapes, a cache that
// misses) instead of replaying, and pays instantiation each time.
func graphRecapture(v *view, p *proc, g *graphState) *finding {
	if g.recaptures < graphRecaptures || g.launchesBefore < graphBeforeLaunches || g.launchesAfter == 0 ||
		g.lastLaunchBefore-g.firstLaunch < graphBeforeNs {
		return nil
	}
	before := rate(g.launchesBefore, g.lastLaunchBefore-g.firstLaunch)
	after := rate(g.launchesAfter, g.lastLaunch-g.firstRecapture)
	if before < graphPeakRate || after >= graphCollapse*before {
		return nil
	}
	share := float64(g.recaptureNs) / float64(max(g.lastLaunch-g.firstRecapture, 1))
	f := v.newFinding("graph-recapture", p.node, "cudaGraphLaunch", p.pid, event.SeverityMedium, share)
	f.Summary = fmt.Sprintf("CUDA graph launch rate fell from %.0f/s to %.0f/s while %s re-captured %s graphs",
		before, after, p.label(), fmtCount(g.recaptures))
	f.RootCause = fmt.Sprintf("%s replayed its graphs at %.0f launches/s, then instantiated %s more graphs after its first launch and fell to %.0f/s: "+
		"instantiation took %s in all (%s of the time since), time a replay does not spend.",
		p.label(), before, fmtCount(g.recaptures), after, fmtDur(g.recaptureNs), fmtPct(share))
	f.Fix = "Capture once per input shape and replay: pad or bucket inputs to a few fixed shapes, copy new data into the static input tensors " +
		"instead of capturing again; with torch.compile(mode=\"reduce-overhead\") check TORCH_LOGS=recompiles for what forces new graphs."
	f.add(g.firstLaunch, event.SourceGraph.Layer(), fmt.Sprintf("cudaGraphLaunch: replays at %.0f/s", before))
	f.add(g.firstRecapture, event.SourceGraph.Layer(), "cudaGraphInstantiate: re-capture begins")
	f.add(g.lastLaunch, event.SourceGraph.Layer(), fmt.Sprintf("cudaGraphLaunch: %.0f/s after %s re-captures", after, fmtCount(g.recaptures)))
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["rate_before"], f.Evidence["rate_after"] = round2(before), round2(after)
	f.Evidence["recaptures"], f.Evidence["instantiate_ns"] = g.recaptures, g.recaptureNs
	f.Evidence["launches_before"], f.Evidence["launches_after"] = g.launchesBefore, g.launchesAfter
	return f
}

func rate(n, ns int64) float64 { return float64(n) / (float64(max(ns, 1)) / 1e9) }

// graphNeverLaunched: executables instantiated and never launched, though
// the process went on launching others or time passed. Each holds its
// graph's memory for nothing.
func graphNeverLaunched(v *view, p *proc, g *graphState) *finding {
	end := v.end
	if end == 0 {
		end = v.e.now
	}
	var idle []uint64
	var first *execState
	for _, h := range g.execOrder {
		x := g.execs[h]
		if x.launches > 0 || (end-x.inst < graphIdleNs && g.launches-x.launchesAtInst < graphIdleLaunches) {
			continue
		}
		idle = append(idle, h)
		if first == nil {
			first = x
		}
	}
	if len(idle) == 0 {
		return nil
	}
	f := v.newFinding("graph-never-launched", p.node, "cudaGraphInstantiate", p.pid, event.SeverityLow, float64(len(idle)))
	f.Summary = fmt.Sprintf("%s instantiated %s CUDA graph executables it never launched", p.label(), fmtCount(int64(len(idle))))
	f.RootCause = fmt.Sprintf("Executable %#x (graph %#x), instantiated at %s, was never launched while %s launched graphs %s times: "+
		"an instantiated graph keeps its memory until it is destroyed.",
		idle[0], first.graph, clock(first.inst, v.loc), p.label(), fmtCount(g.launches-first.launchesAtInst))
	f.Fix = "Destroy executables you do not replay (del the torch.cuda.CUDAGraph, cudaGraphExecDestroy), and capture only the shapes that run; " +
		"a graph instantiated per shape or per warm-up pass is usually the leak."
	f.add(first.inst, event.SourceGraph.Layer(), fmt.Sprintf("cudaGraphInstantiate: exec %#x, never launched", idle[0]))
	hs := make([]string, 0, min(len(idle), 8))
	for _, h := range idle[:min(len(idle), 8)] {
		hs = append(hs, fmt.Sprintf("%#x", h))
	}
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	f.Evidence["never_launched"], f.Evidence["execs"] = int64(len(idle)), hs
	f.Evidence["instantiated"] = int64(len(g.execOrder))
	return f
}

// graphLaunchContention: graph launches that another task kept off the
// CPU ran much slower than the others. A graph exists to make launching
// cheap; a launch that waits for the CPU loses that.
func graphLaunchContention(v *view, p *proc, g *graphState) *finding {
	var worst *opState
	for _, k := range []event.Key{{Source: event.SourceGraph, Op: event.GraphLaunch}, {Source: event.SourceGraph, Op: event.GraphCuLaunch}} {
		if o := p.ops[event.SourceGraph]; o != nil && o[k.Op] != nil && o[k.Op].conds[condPreempt] != nil {
			if worst == nil || o[k.Op].conds[condPreempt].h.Count() > worst.conds[condPreempt].h.Count() {
				worst = o[k.Op]
			}
		}
	}
	if worst == nil {
		return nil
	}
	cs := worst.conds[condPreempt]
	n := int64(cs.h.Count())
	p50, pre := worst.h.Quantile(0.5), cs.h.Quantile(0.5)
	if n < graphPreemptedMin || p50 <= 0 || float64(pre) < graphPreemptSlowdown*float64(p50) {
		return nil
	}
	var top peerKey
	for k, c := range cs.by {
		if c > cs.by[top] || (c == cs.by[top] && k.pid < top.pid) {
			top = k
		}
	}
	f := v.newFinding("graph-launch-cpu-contention", p.node, worst.name, p.pid, event.SeverityMedium, float64(cs.overlapNs)/1e9)
	f.Summary = fmt.Sprintf("%s preempted %s times by %s: %s median instead of %s", worst.name, fmtCount(n), procName(top.comm, top.pid), fmtDur(pre), fmtDur(p50))
	f.RootCause = fmt.Sprintf("%s of %s's graph launches ran while %s held its CPU; they took %s at the median against %s for all launches, %s off-CPU in all.",
		fmtCount(n), p.label(), procName(top.comm, top.pid), fmtDur(pre), fmtDur(p50), fmtDur(cs.overlapNs))
	f.Fix = fmt.Sprintf("Give the launching thread a CPU of its own: move %s off the training job's cores (taskset/cgroup cpusets), "+
		"or pin the job (taskset -c, numactl) away from it.", procName(top.comm, top.pid))
	f.add(cs.worst.t, event.SourceGraph.Layer(), fmt.Sprintf("%s: %s while preempted", worst.name, fmtDur(cs.worst.d)))
	f.Evidence["pid"], f.Evidence["comm"], f.Evidence["op"] = p.pid, p.comm, worst.name
	f.Evidence["preempted_launches"], f.Evidence["median_preempted_ns"], f.Evidence["p50_ns"] = n, pre, p50
	f.Evidence["culprit_pid"], f.Evidence["culprit_comm"], f.Evidence["off_cpu_ns"] = top.pid, top.comm, cs.overlapNs
	return f
}
