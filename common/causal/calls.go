package causal

import (
	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// cond is something that can slow a call down while it runs.
type cond uint8

const (
	condPreempt  cond = iota // a culprit held the CPU of the calling process
	condPressure             // host memory was under pressure
	condIO                   // block IO was in flight on the host
	condCotenant             // another process was using the same GPU
	numConds
)

// peerKey names a culprit: a preempting task, an IO issuer, a co-tenant.
type peerKey struct {
	pid  uint32
	comm string
}

// condState gathers the calls of one op that ran under one condition.
type condState struct {
	h         hist.Histogram // their durations
	overlapNs int64          // time the condition overlapped them
	worst     timed          // the slowest of them
	worstSnap event.Snapshot // the host's state when it started
	hasSnap   bool
	by        map[peerKey]int64
}

// pendingCall is a call whose overlap with causes is not settled yet:
// a preemption or IO that starts before it ends can still arrive.
type pendingCall struct {
	start, end int64
	op         *opState
	flags      uint8
	peer       [numConds]peerKey
	most       [numConds]int64 // the largest single overlap per condition
	overlap    [numConds]int64 // all overlaps per condition
}

// interval is a span of a cause: a preemption, an IO.
type interval struct {
	start, end int64
	peer       peerKey
}

func overlap(a0, a1, b0, b1 int64) int64 {
	lo, hi := max(a0, b0), min(a1, b1)
	if hi < lo {
		return -1
	}
	return hi - lo
}

// mark records that cause c (by peer, over [s0, s1]) overlapped the call;
// the peer with the largest single overlap is the one the call is charged
// to.
func (c *pendingCall) mark(k cond, s0, s1 int64, peer peerKey) {
	ov := overlap(c.start, c.end, s0, s1)
	if ov < 0 {
		return
	}
	if c.flags&(1<<k) == 0 || ov > c.most[k] {
		c.peer[k], c.most[k] = peer, ov
	}
	c.overlap[k] += ov
	c.flags |= 1 << k
}

// ran says whether the call ran under condition k: point conditions
// (pressure, co-tenancy) by their mark, intervals by their coverage.
func (c *pendingCall) ran(k cond) bool {
	if c.flags&(1<<k) == 0 {
		return false
	}
	if k == condPreempt || k == condIO {
		return float64(min(c.overlap[k], c.end-c.start)) >= coverMin*float64(c.end-c.start)
	}
	return true
}

// settle files a finished call under the conditions it ran under; h is
// its host, for the snapshot in effect when the slowest call started.
func (c *pendingCall) settle(h *hostState) {
	d := c.end - c.start
	for k := range numConds {
		if !c.ran(k) {
			continue
		}
		cs := c.op.cond(k)
		cs.h.Record(d)
		cs.overlapNs += min(c.overlap[k], d)
		if d > cs.worst.d || cs.worst.t == 0 {
			cs.worst = timed{c.start, d}
			if h != nil {
				cs.worstSnap, cs.hasSnap = h.at(c.start)
			}
		}
		cs.by[c.peer[k]]++
	}
}

// expire settles the calls of p that ended before now, less the grace.
// Calls are kept in arrival order and settled from the front, so this is
// O(1) per event; a long call at the front holds back shorter ones behind
// it, which only delays their settling.
func (e *engine) expire(p *proc, now int64) {
	k := 0
	for k < len(p.pending) && p.pending[k].end+e.grace < now {
		p.pending[k].settle(e.hosts[p.node])
		k++
	}
	if k > 0 {
		clear(p.pending[:k])
		p.pending = p.pending[k:]
	}
}

// track starts following a call of a selected process: causes already
// under way are marked now, later ones as they arrive.
func (e *engine) track(p *proc, o *opState, start, dur int64) {
	c := pendingCall{start: start, end: start + dur, op: o}
	for _, iv := range p.preempts {
		c.mark(condPreempt, iv.start, iv.end, iv.peer)
	}
	for _, iv := range e.io.active {
		if iv.node == p.node {
			c.mark(condIO, iv.start, iv.end, iv.peer)
		}
	}
	if h := e.hosts[p.node]; h != nil && h.pressure {
		c.mark(condPressure, start, start, peerKey{})
	}
	if q := e.activeCotenant(p, start); q != nil {
		c.mark(condCotenant, start, start, peerKey{q.pid, q.comm})
	}
	if len(p.pending) >= maxPending {
		p.pending[0].settle(e.hosts[p.node])
		p.pending = p.pending[1:]
	}
	p.pending = append(p.pending, c)
}

// pushInterval adds a cause interval to a bounded list, dropping the ones
// that ended long enough ago.
func pushInterval[T any](list []T, iv T, end func(*T) int64, now, grace int64) []T {
	kept := list[:0]
	for i := range list {
		if end(&list[i])+grace >= now {
			kept = append(kept, list[i])
		}
	}
	if len(kept) >= maxIntervals {
		kept = append(kept[:0], kept[1:]...)
	}
	return append(kept, iv)
}
