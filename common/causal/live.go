package causal

import (
	"sync"
	"time"

	"ingero.dev/common/event"
)

// liveWindow is how much event time one live analysis window covers.
// Chains reports the last complete window merged with the current one,
// so a finding stays visible for one to two windows after its evidence.
const liveWindow = int64(60 * time.Second)

// Live runs the rules over a live event stream, as trace receives it, in
// bounded memory: windows of liveWindow event time, each analysed like a
// recording. Device-memory balances (the leak rule) carry across windows,
// because leaks show over minutes. It is safe for concurrent use.
type Live struct {
	mu     sync.Mutex
	node   string
	window int64
	cur    *engine
	prev   []*finding     // the last complete window's findings
	loc    *time.Location // for clock times in text, from the latest Chains call
}

// NewLive returns a live analyser; node names the host in chain IDs
// where events do not.
func NewLive(node string) *Live {
	return &Live{node: node, window: liveWindow, loc: time.Local}
}

// Observe folds in a batch of events. Batches may arrive slightly out of
// time order (per-CPU ring buffers): calls and the intervals that overlap
// them are kept open a little past their end to pair up anyway.
func (l *Live) Observe(batch []event.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range batch {
		ev := &batch[i]
		if ev.Node == "" {
			c := *ev
			c.Node = l.node
			ev = &c
		}
		l.advance(ev.TimeNs)
		l.cur.observe(ev)
	}
}

// ObserveSnapshot folds in one host snapshot.
func (l *Live) ObserveSnapshot(s event.Snapshot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.Node == "" {
		s.Node = l.node
	}
	l.advance(s.TimeNs)
	l.cur.snapshot(s)
}

// Chains returns the chains of the current and the previous window,
// ranked; the same finding in both counts once, with its stronger
// evidence. now anchors relative wording.
func (l *Live) Chains(now time.Time) []event.Chain {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loc = now.Location()
	fs := append([]*finding(nil), l.prev...)
	if l.cur != nil {
		v := &view{e: l.cur, now: now, loc: now.Location()}
		fs = append(fs, v.findings()...)
	}
	return rank(fs)
}

// advance starts the first window, or a new one once t is past the
// current window's end.
func (l *Live) advance(t int64) {
	if l.cur != nil && t < l.cur.tb.origin+l.window {
		return
	}
	origin := t - t%1e9
	next := newEngine(l.node, newTimebase(origin, l.window), nil).live()
	if old := l.cur; old != nil {
		old.flush()
		v := &view{e: old, now: time.Unix(0, t), loc: l.loc}
		l.prev = v.findings()
		next.leaks = old.leaks
		for node, h := range old.hosts {
			next.hosts[node] = h.carry()
		}
	}
	l.cur = next
}
