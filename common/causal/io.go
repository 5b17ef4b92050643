package causal

import (
	"ingero.dev/common/event"
)

// ioState follows block IO on every host: who issued how much, and which
// requests are in flight to overlap GPU calls with.
type ioState struct {
	active  []ioInterval
	issuers map[ioKey]*ioIssuer
	order   []*ioIssuer
	bytes   series // bytes issued per bucket, every host
}

type ioKey struct {
	node string
	peerKey
}

type ioInterval struct {
	interval
	node string
}

// ioIssuer is one process's block IO.
type ioIssuer struct {
	ioKey
	requests    int64
	readBytes   int64
	writeBytes  int64
	latencyNs   int64
	peak        timed // the slowest request
	first       int64 // its first request
	bytesAtPeak int64
	opAtPeak    string
}

func (e *engine) ioEvent(p *proc, ev *event.Event) {
	comm := ev.Comm
	if p.mainComm && p.comm != "" {
		comm = p.comm
	}
	// ingero's own writes (its database, its stream) are never the cause.
	if ownComm(comm) || ownComm(ev.Comm) || e.selfPID != 0 && ev.PID == e.selfPID {
		return
	}
	if p.selected {
		if a := p.thread(ev); a != nil {
			a.blockIO(ev)
		}
	}
	k := ioKey{ev.Node, peerKey{ev.PID, comm}}
	if e.io.issuers == nil {
		e.io.issuers = make(map[ioKey]*ioIssuer)
	}
	is := e.io.issuers[k]
	if is == nil && len(e.io.order) >= maxIssuers {
		k = ioKey{ev.Node, otherTasks}
		is = e.io.issuers[k]
	}
	if is == nil {
		is = &ioIssuer{ioKey: k, first: ev.TimeNs}
		e.io.issuers[k] = is
		e.io.order = append(e.io.order, is)
	}
	t, d := ev.TimeNs, max(ev.DurNs, 0)
	b := int64(min(ev.Args[0], 1<<50))
	if ev.Op == event.BlockFlush {
		b = 0
	}
	is.requests++
	is.first = min(is.first, t)
	if ev.Op == event.BlockRead {
		is.readBytes += b
	} else {
		is.writeBytes += b
	}
	is.latencyNs += d
	if d > is.peak.d {
		is.peak, is.bytesAtPeak, is.opAtPeak = timed{t, d}, b, event.OpName(ev.Source, ev.Op)
	}
	e.io.bytes.add(&e.tb, t, b)
	for _, q := range e.gpuProcs {
		if q.node != ev.Node {
			continue
		}
		for i := range q.pending {
			q.pending[i].mark(condIO, t, t+d, k.peerKey)
		}
	}
	e.io.active = pushInterval(e.io.active, ioInterval{interval{t, t + d, k.peerKey}, ev.Node},
		func(iv *ioInterval) int64 { return iv.end }, e.now, e.grace)
}
