package causal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ingero.dev/common/event"
)

// ruleBlockIO: an op's slow calls ran while block IO was in flight. It
// names the processes that issued the IO.
func ruleBlockIO(v *view, p *proc) []*finding {
	ef, others, ok := bestEffect(p, condIO)
	// A loop that writes its own checkpoint loses the time between its
	// calls, blocked on the disk: no call is slower for it.
	if loop := blockedInLoop(v, p); loop != nil && (!ok || loop.Severity > ef.severity()) {
		return []*finding{loop}
	}
	if !ok {
		return nil
	}
	iss := rankIssuers(v.e, p.node, ef.cs)
	if len(iss) == 0 {
		return nil
	}
	top := iss[0]
	f := v.newFinding("block-io", p.node, ef.op.name, p.pid, ef.severity(), ef.impact)
	f.Summary = ef.summary("block IO by " + top.comm)
	var who []string
	for _, is := range iss[:min(len(iss), 3)] {
		who = append(who, issuerPhrase(is))
	}
	f.RootCause = strings.Join(who, "; ") + ": " + ef.sentence("while block IO was in flight") + "."
	if len(others) > 0 {
		f.RootCause += " Also slowed: " + strings.Join(others, ", ") + "."
	}
	f.Fix = fmt.Sprintf("Take %s's IO off the training path: lower its IO priority (`ionice -c3 -p %d`), "+
		"make checkpoint and log writes asynchronous (a background thread or process, e.g. torch.distributed.checkpoint.async_save), "+
		"or send them to a separate fast disk (NVMe) or /dev/shm and copy them out later.", top.comm, top.pid)

	f.add(top.first, event.SourceIO.Layer(), fmt.Sprintf("%s issues block IO (%s requests, %s in all)",
		procName(top.comm, top.pid), fmtCount(top.requests), fmtBytes(top.readBytes+top.writeBytes)))
	f.add(top.peak.t, event.SourceIO.Layer(), fmt.Sprintf("%s %s took %s", top.opAtPeak, fmtBytes(top.bytesAtPeak), fmtDur(top.peak.d)))
	tl := ef.worstEntry("during block IO")
	f.add(tl.TimeNs, tl.Layer, tl.Detail)

	ef.evidence(f.Evidence, "during_io")
	f.Evidence["pid"], f.Evidence["comm"] = p.pid, p.comm
	var list []map[string]any
	for _, is := range iss {
		list = append(list, map[string]any{"pid": is.pid, "comm": is.comm, "requests": is.requests,
			"read_bytes": is.readBytes, "write_bytes": is.writeBytes, "latency_ns": is.latencyNs, "peak_latency_ns": is.peak.d,
			"slowed_calls": ef.cs.by[is.peerKey]})
	}
	f.Evidence["issuers"] = list
	if len(others) > 0 {
		f.Evidence["also_slowed"] = others
	}
	return []*finding{f.done()}
}

// rankIssuers orders a node's IO issuers by the slow calls charged to
// them, then by bytes.
func rankIssuers(e *engine, node string, cs *condState) []*ioIssuer {
	var out []*ioIssuer
	for _, is := range e.io.order {
		if is.node == node && (cs.by[is.peerKey] > 0 || is.readBytes+is.writeBytes > 0) {
			out = append(out, is)
		}
	}
	slices.SortStableFunc(out, func(a, b *ioIssuer) int {
		if c := cmp.Compare(cs.by[b.peerKey], cs.by[a.peerKey]); c != 0 {
			return c
		}
		return cmp.Compare(b.readBytes+b.writeBytes, a.readBytes+a.writeBytes)
	})
	return out
}

// issuerPhrase: "checkpoint (PID 7777) wrote 1.2 GiB in 600 requests
// (slowest 14ms)".
func issuerPhrase(is *ioIssuer) string {
	var parts []string
	if is.writeBytes > 0 {
		parts = append(parts, "wrote "+fmtBytes(is.writeBytes))
	}
	if is.readBytes > 0 {
		parts = append(parts, "read "+fmtBytes(is.readBytes))
	}
	if len(parts) == 0 {
		parts = append(parts, "issued IO")
	}
	return fmt.Sprintf("%s %s in %s requests (slowest %s)", procName(is.comm, is.pid), strings.Join(parts, " and "),
		fmtCount(is.requests), fmtDur(is.peak.d))
}
