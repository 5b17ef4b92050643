package causal

import (
	"ingero.dev/common/event"
)

// hostEvent folds in a scheduler, memory or process event.
func (e *engine) hostEvent(p *proc, ev *event.Event) {
	switch ev.Op {
	case event.SchedSwitch:
		if p.selected {
			e.offCPU(p, ev)
		}
	case event.CPUContention:
		if p.selected {
			e.contention(p, ev)
		}
	case event.OOMKill:
		e.oomKill(p, ev)
	case event.FaultMinor, event.FaultFile, event.SwapIn, event.Reclaim, event.Compaction, event.MemUsage:
		if p.selected {
			p.memEvent(ev)
		}
	case event.ProcessExit:
		if p.selected {
			p.exitNs = ev.TimeNs
		}
	}
}

// offCPU handles one off-CPU interval of a thread of p. Args[1] is 1 when
// the thread was preempted (it could have run on), 0 when it blocked.
func (e *engine) offCPU(p *proc, ev *event.Event) {
	t, off := ev.TimeNs, max(ev.DurNs, 0)
	p.sched = true
	if a := p.thread(ev); a != nil {
		a.offCPU(t, off, offBucket(ev), peerKey{ev.PeerPID, ev.PeerComm})
	}
	if ev.Args[1] != 1 {
		p.gaps.blocked(t, off)
		return
	}
	if ev.PeerPID != p.pid {
		p.gaps.preempted(t, off)
	}
	if e.excludedPeer(ev.PeerPID, ev.PeerComm, p.pid) {
		p.ownPreempts++
		return
	}
	k := peerKey{ev.PeerPID, ev.PeerComm}
	c := p.culprit(k)
	if c.preempts == 0 || t < c.firstPreempt {
		c.firstPreempt = t
	}
	c.preempts++
	c.offNs += off
	c.cpus.add(ev.Args[0])
	p.preemptSeries.add(&e.tb, t, off)
	for i := range p.pending {
		p.pending[i].mark(condPreempt, t, t+off, k)
	}
	p.preempts = pushInterval(p.preempts, interval{start: t, end: t + off, peer: k},
		func(iv *interval) int64 { return iv.end }, e.now, e.grace)
}

// contention handles a per-second summary of another task's time on the
// CPUs p runs on.
func (e *engine) contention(p *proc, ev *event.Event) {
	if e.excludedPeer(ev.PeerPID, ev.PeerComm, p.pid) {
		return
	}
	c := p.culprit(peerKey{ev.PeerPID, ev.PeerComm})
	on := max(ev.DurNs, 0)
	c.onNs += on
	c.switches += int64(ev.Args[1])
	if on > c.peak.d {
		c.peak, c.peakCPU = timed{ev.TimeNs, on}, ev.Args[0]
	}
	p.contendSeries.add(&e.tb, ev.TimeNs, on)
}

// oomKill is the kernel OOM killer choosing a victim (the peer).
type oomKill struct {
	t        int64
	node     string
	victim   peerKey
	rssBytes int64
	snap     event.Snapshot // the host's latest state before it
	hasSnap  bool
}

func (e *engine) oomKill(p *proc, ev *event.Event) {
	victim := ev.PeerPID
	if victim == 0 {
		victim = ev.PID
	}
	if e.pids != nil && !e.pids[victim] && !p.selected {
		return
	}
	if len(e.ooms) >= maxOOMKills {
		return
	}
	comm := ev.PeerComm
	if comm == "" && victim == ev.PID {
		comm = p.comm
	}
	k := oomKill{t: ev.TimeNs, node: ev.Node, victim: peerKey{victim, comm},
		rssBytes: int64(min(ev.Args[0], 1<<40)) * pageSize}
	if h := e.hosts[ev.Node]; h != nil && h.hasLatest {
		k.snap, k.hasSnap = h.latest, true
	}
	e.ooms = append(e.ooms, k)
}
