package causal

import (
	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// ncclState follows every NCCL communicator seen, across processes: ranks
// of one job are separate processes, often on separate nodes, and only
// their arrival times side by side show who the others wait for.
type ncclState struct {
	comms map[commKey]*commState
	order []commKey
}

// commKey names a communicator: the hash of its ncclUniqueId is the same
// on every rank, whatever node recorded it.
type commKey struct{ hash uint64 }

type commState struct {
	nranks int
	ranks  map[int]*rankState
	open   map[int64]*round // rounds not every rank reached yet, by index
	done   int64
	lastBy map[int]*lastStats // per rank: rounds it arrived last in
	first  int64
	lastT  int64
	op     string // the collective of the latest round
}

type rankState struct {
	pid   uint32
	node  string
	comm  string
	calls int64 // collectives issued: the index of its next round
}

// round is one collective as the ranks reach it.
type round struct {
	n           int
	first, last int64 // earliest and latest arrival
	second      int64 // the latest arrival before the last one
	lastRank    int
	op          string
}

type lastStats struct {
	rounds int64
	wait   hist.Histogram // how long the others waited for it, per round
	waitNs int64
	worst  timed
}

// collective reports whether op is a collective every rank enters in the
// same order (point-to-point and setup are not).
func collective(op event.Op) bool {
	switch op {
	case event.NCCLAllReduce, event.NCCLAllGather, event.NCCLReduceScatter, event.NCCLBroadcast:
		return true
	}
	return false
}

func (e *engine) ncclEvent(p *proc, ev *event.Event) {
	if p.selected {
		p.op(ev.Key()).record(&e.tb, ev)
	}
	if !collective(ev.Op) || ev.Args[1] == 0 {
		return
	}
	rank, nranks := int(uint32(ev.Args[3])), int(ev.Args[3]>>32)
	if nranks < 2 || rank >= nranks {
		return
	}
	s := &e.nccl
	if s.comms == nil {
		s.comms = map[commKey]*commState{}
	}
	k := commKey{ev.Args[1]}
	c := s.comms[k]
	if c == nil {
		c = &commState{nranks: nranks, ranks: map[int]*rankState{}, open: map[int64]*round{}, lastBy: map[int]*lastStats{}, first: ev.TimeNs}
		s.comms[k] = c
		s.order = append(s.order, k)
	}
	r := c.ranks[rank]
	if r == nil {
		r = &rankState{}
		c.ranks[rank] = r
	}
	r.pid, r.node, r.comm = ev.PID, ev.Node, p.comm
	idx := r.calls
	r.calls++
	c.lastT = max(c.lastT, ev.TimeNs)
	rd := c.open[idx]
	if rd == nil {
		if len(c.open) >= ncclOpenRounds {
			return
		}
		rd = &round{first: ev.TimeNs, last: ev.TimeNs, second: ev.TimeNs, lastRank: rank, op: ev.OpName()}
		c.open[idx] = rd
	} else {
		t := ev.TimeNs
		switch {
		case t >= rd.last:
			rd.second, rd.last, rd.lastRank = rd.last, t, rank
		case t > rd.second:
			rd.second = t
		}
		rd.first = min(rd.first, t)
	}
	rd.n++
	if rd.n < c.nranks {
		return
	}
	delete(c.open, idx)
	c.done++
	c.op = rd.op
	l := c.lastBy[rd.lastRank]
	if l == nil {
		l = &lastStats{}
		c.lastBy[rd.lastRank] = l
	}
	w := rd.last - rd.second
	l.rounds++
	l.wait.Record(w)
	l.waitNs += w
	if w > l.worst.d {
		l.worst = timed{rd.last, w}
	}
}
