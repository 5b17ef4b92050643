package causal

import (
	"fmt"

	"ingero.dev/common/event"
)

// ruleCUDAOOM: allocations of the process returned out-of-memory.
func ruleCUDAOOM(v *view, p *proc) []*finding {
	var out []*finding
	for _, o := range p.opList {
		c := &o.oom
		if c.n == 0 {
			continue
		}
		f := v.newFinding("oom", p.node, o.name, p.pid, event.SeverityHigh, 1)
		f.Summary = fmt.Sprintf("%s returned out-of-memory %s times", o.name, fmtCount(c.n))
		f.RootCause = fmt.Sprintf("%s returned out-of-memory %s times in %s, first at %s (%s), asking for up to %s",
			o.name, fmtCount(c.n), p.label(), clock(c.first, v.loc), ago(c.first, v.now), fmtBytes(c.maxSize))
		if l := v.e.leaks[p.procKey]; l != nil && l.peak > 0 {
			f.RootCause += fmt.Sprintf(" while the allocations seen in the window held up to %s", fmtBytes(l.peak))
			f.Evidence["held_peak_bytes"] = l.peak
		}
		f.RootCause += "."
		f.Fix = "Lower the batch size or sequence length, enable activation checkpointing and mixed precision (bf16/fp16), " +
			"set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True against fragmentation, and check with nvidia-smi that no other process holds memory on the GPU."
		f.add(c.first, o.key.Source.Layer(), fmt.Sprintf("%s: out of memory (request of up to %s)", o.name, fmtBytes(c.maxSize)))
		if c.last != c.first {
			f.add(c.last, o.key.Source.Layer(), fmt.Sprintf("%s: out of memory, %s times in all", o.name, fmtCount(c.n)))
		}
		f.Evidence["pid"], f.Evidence["comm"], f.Evidence["op"] = p.pid, p.comm, o.name
		f.Evidence["oom_calls"], f.Evidence["max_request_bytes"] = c.n, c.maxSize
		f.Evidence["first_ns"], f.Evidence["last_ns"] = c.first, c.last
		out = append(out, f.done())
	}
	return out
}

// oomKills turns the kernel OOM killer's victims into chains, one per
// victim.
func (v *view) oomKills() []*finding {
	byVictim := map[procKey]*finding{}
	var out []*finding
	for _, k := range v.e.ooms {
		key := procKey{k.node, k.victim.pid}
		if f := byVictim[key]; f != nil {
			f.Evidence["kills"] = f.Evidence["kills"].(int64) + 1
			f.add(k.t, event.SourceHost.Layer(), fmt.Sprintf("oom_kill: %s killed again", procName(k.victim.comm, k.victim.pid)))
			continue
		}
		f := v.newFinding("oom", k.node, "oom_kill", k.victim.pid, event.SeverityHigh, 1)
		name := procName(k.victim.comm, k.victim.pid)
		f.Summary = "OOM killer killed " + name
		f.RootCause = fmt.Sprintf("The kernel OOM killer killed %s (%s resident) at %s (%s) because the host ran out of memory",
			name, fmtBytes(k.rssBytes), clock(k.t, v.loc), ago(k.t, v.now))
		if k.hasSnap {
			s := k.snap
			f.RootCause += fmt.Sprintf(": %.0f%% of memory was in use, %d MiB available, swap %s", s.MemPct, s.MemAvailMB, fmtBytes(s.SwapUsedMB<<20))
			f.add(s.TimeNs, event.SourceSystem.Layer(), fmt.Sprintf("memory %.0f%% used, %d MiB available, swap %s", s.MemPct, s.MemAvailMB, fmtBytes(s.SwapUsedMB<<20)))
		}
		f.RootCause += "."
		f.Fix = "Give the job more host memory or make it use less: fewer DataLoader workers or a smaller prefetch_factor, memory-mapped datasets instead of loaded ones, " +
			"cgroup memory limits on other tenants; `dmesg | grep -i -A20 oom` shows the kernel's full report."
		f.add(k.t, event.SourceHost.Layer(), fmt.Sprintf("oom_kill: killed %s, %s resident", name, fmtBytes(k.rssBytes)))
		f.Evidence["victim_pid"], f.Evidence["victim_comm"] = k.victim.pid, k.victim.comm
		f.Evidence["rss_bytes"], f.Evidence["kills"] = k.rssBytes, int64(1)
		f.Evidence["time_ns"] = k.t
		byVictim[key] = f
		out = append(out, f)
	}
	for _, f := range out {
		f.done()
	}
	return out
}
