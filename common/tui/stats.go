package tui

import (
	"cmp"
	"slices"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// minSamplesForAnomaly keeps the first few events of an op, whose p50 is
// still noise, from being called anomalies.
const minSamplesForAnomaly = 10

// maxPeers bounds the per-op peer table; names past it are not ranked.
const maxPeers = 256

// Stats accumulates the event stream into per-op counters for the view.
//
// Percentiles are over the whole session (one mergeable histogram per
// op), the same definition explain uses, so the live p99 and the report's
// agree. Rates are over the last interval, the time between two Model
// calls. An event is an anomaly when its duration exceeds TailFactor × the
// op's p50 as of the previous refresh, once the op has at least 10
// samples. Stats is not safe for concurrent use: the pipeline goroutine
// that observes events also calls Model.
type Stats struct {
	launchLatency bool
	start, last   time.Time
	total         uint64
	intervalTotal uint64
	drops         event.SessionStats

	bySource [256]*[256]*opStats
	ops      []*opStats
}

type opStats struct {
	src     event.Source
	op      event.Op
	name    string
	section Section
	timed   bool // durations are recorded into h

	h                hist.Histogram
	count, interval  uint64
	anomalies, newAn uint64
	errors           uint64
	threshold        int64 // anomaly cutoff; 0 until enough samples

	peers map[string]uint64 // nil for ops without a peer
}

// NewStats starts a session at start. launchLatency mirrors
// --launch-latency: without it launch durations are not recorded.
func NewStats(start time.Time, launchLatency bool) *Stats {
	return &Stats{launchLatency: launchLatency, start: start, last: start}
}

// Observe counts one event. Meta events (drops, sampling changes) are not
// op rows and are ignored; report drops with SetDrops.
func (s *Stats) Observe(ev *event.Event) {
	bySrc := s.bySource[ev.Source]
	var o *opStats
	if bySrc != nil {
		o = bySrc[ev.Op]
	}
	if o == nil {
		if o = s.add(ev.Source, ev.Op); o == nil {
			return
		}
	}
	s.total++
	s.intervalTotal++
	o.count++
	o.interval++
	if ev.Ret != 0 {
		o.errors++
	}
	if o.timed {
		o.h.Record(ev.DurNs)
		if o.threshold > 0 && ev.DurNs > o.threshold {
			o.anomalies++
			o.newAn++
		}
	}
	if o.peers != nil && ev.PeerComm != "" {
		if n, ok := o.peers[ev.PeerComm]; ok || len(o.peers) < maxPeers {
			o.peers[ev.PeerComm] = n + 1
		}
	}
}

// add registers an op on first sight; nil for sources without a section.
func (s *Stats) add(src event.Source, op event.Op) *opStats {
	sec, ok := SectionOf(src)
	if !ok {
		return nil
	}
	info, known := event.LookupOp(src, op)
	o := &opStats{
		src: src, op: op, name: event.OpName(src, op), section: sec,
		timed: !known || info.Class != event.ClassLaunch || s.launchLatency,
	}
	if src == event.SourceHost && (op == event.SchedSwitch || op == event.CPUContention) {
		o.peers = map[string]uint64{}
	}
	if s.bySource[src] == nil {
		s.bySource[src] = new([256]*opStats)
	}
	s.bySource[src][op] = o
	s.ops = append(s.ops, o)
	return o
}

// SetDrops records the session's cumulative loss counters, which the
// pipeline reads from the kernel and its own queues.
func (s *Stats) SetDrops(d event.SessionStats) { s.drops = d }

// Model closes the interval that ends at now and returns the view of it.
// The caller fills in System, Duration, DBPath, DBBytes and Targets.
func (s *Stats) Model(now time.Time) Model {
	dt := now.Sub(s.last).Seconds()
	rate := func(n uint64) float64 {
		if dt <= 0 {
			return 0
		}
		return float64(n) / dt
	}
	m := Model{
		Now:           now,
		Elapsed:       now.Sub(s.start),
		LaunchLatency: s.launchLatency,
		EventsPerSec:  rate(s.intervalTotal),
		TotalEvents:   s.total,
		Drops:         s.drops,
	}
	for _, o := range s.ops {
		r := Row{
			Source: o.src, Op: o.op, Name: o.name,
			Count: o.count, Rate: rate(o.interval),
			Anomalies: o.anomalies, NewAnomalies: o.newAn, Errors: o.errors,
		}
		if o.timed && o.h.Max() > 0 {
			r.Latency = true
			r.P50, r.P95, r.P99 = o.h.Quantile(0.50), o.h.Quantile(0.95), o.h.Quantile(0.99)
			if o.h.Count() >= minSamplesForAnomaly {
				o.threshold = TailFactor * r.P50
			}
		}
		for name, n := range o.peers {
			if n > r.TopPeerCount || n == r.TopPeerCount && name < r.TopPeer {
				r.TopPeer, r.TopPeerCount = name, n
			}
		}
		m.Sections[o.section] = append(m.Sections[o.section], r)
		o.interval, o.newAn = 0, 0
	}
	for i := range m.Sections {
		sortRows(m.Sections[i])
	}
	s.intervalTotal = 0
	s.last = now
	return m
}

// sortRows orders rows by source, then op id: a stable order, so rows do
// not jump around between refreshes.
func sortRows(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Op, b.Op))
	})
}
