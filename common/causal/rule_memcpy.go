package causal

import (
	"fmt"
	"strings"

	"ingero.dev/common/event"
)

// ruleMemcpyBound: memory copies take a dominant share of the process's
// wall time. It reports direction, bytes and bandwidth.
func ruleMemcpyBound(v *view, p *proc) []*finding {
	var calls, ns int64
	dom := 0
	for k := range p.copies {
		c := &p.copies[k]
		calls += c.calls
		ns += c.ns
		if c.ns > p.copies[dom].ns {
			dom = k
		}
	}
	share := min(float64(ns)/float64(p.gpuSpan()), 1)
	if calls < memcpyMinCalls || share < memcpyLowShare {
		return nil
	}
	var op *opState
	for _, o := range p.opList {
		if o.class == event.ClassMemcpy && o.gpu && (op == nil || o.h.Sum() > op.h.Sum()) {
			op = o
		}
	}
	sev := event.SeverityLow
	switch {
	case share >= memcpyHighShare:
		sev = event.SeverityHigh
	case share >= memcpyMediumShare:
		sev = event.SeverityMedium
	}
	d := &p.copies[dom]
	f := v.newFinding("memcpy-bound", p.node, op.name, p.pid, sev, share)
	f.Summary = fmt.Sprintf("%s of wall time in memory copies — %s %s at %s", fmtPct(share), kindNames[dom], fmtBytes(d.bytes), fmtRate(d.bytes, d.ns))
	f.RootCause = fmt.Sprintf("%s spent %s of its wall time in memory copies: %s copies moved %s %s (%s) in %s at %s, %s of copy time",
		p.label(), fmtPct(share), fmtCount(d.calls), fmtBytes(d.bytes), kindWords[dom], kindNames[dom], fmtDur(d.ns),
		fmtRate(d.bytes, d.ns), fmtPct(ratio(float64(d.ns), float64(ns))))
	var rest []string
	for k := range p.copies {
		if c := &p.copies[k]; k != dom && c.calls > 0 {
			rest = append(rest, fmt.Sprintf("%s %s in %s calls (%s)", kindNames[k], fmtBytes(c.bytes), fmtCount(c.calls), fmtDur(c.ns)))
		}
	}
	if len(rest) > 0 {
		f.RootCause += "; also " + strings.Join(rest, ", ")
	}
	f.RootCause += "."
	f.Fix = copyFix(dom)
	lc := p.largestCopy
	f.add(lc.t, op.key.Source.Layer(), fmt.Sprintf("%s %s %s took %s (%s)", lc.op, fmtBytes(lc.bytes), kindNames[lc.kind], fmtDur(lc.d), fmtRate(lc.bytes, lc.d)))
	f.Evidence["pid"], f.Evidence["comm"], f.Evidence["op"] = p.pid, p.comm, op.name
	f.Evidence["copy_share"] = round4(share)
	f.Evidence["copy_ns"], f.Evidence["copies"] = ns, calls
	f.Evidence["direction"] = kindNames[dom]
	dirs := map[string]any{}
	for k := range p.copies {
		if c := &p.copies[k]; c.calls > 0 {
			dirs[kindNames[k]] = map[string]any{"calls": c.calls, "bytes": c.bytes, "ns": c.ns,
				"gb_per_s": round2(ratio(float64(c.bytes), float64(c.ns)))}
		}
	}
	f.Evidence["directions"] = dirs
	return []*finding{f.done()}
}

func copyFix(dom int) string {
	switch dom {
	case kindH2D:
		return "Copy from pinned host memory (DataLoader pin_memory=True, or cudaMallocHost) with non_blocking=True on a side stream so transfers overlap compute; keep tensors that every step reuses resident on the GPU instead of copying them again."
	case kindD2H:
		return "Stop reading results back every step: .item(), .cpu(), .numpy() and printing tensors each force a device-to-host copy and a sync; accumulate metrics on the GPU and read them every N steps, into pinned buffers with non_blocking=True."
	case kindD2D:
		return "Cut redundant device copies (.contiguous(), .clone(), torch.cat inside loops): use views and in-place ops; for copies between GPUs enable peer access over NVLink."
	}
	return "Reduce the volume copied per step and overlap the rest with compute: pinned buffers, asynchronous copies on a side stream, data kept resident on the GPU."
}
