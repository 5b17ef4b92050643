package trace

import (
	"sync"
	"time"

	"ingero.dev/bpf/shared"
	"ingero.dev/common/event"
	"ingero.dev/common/gpu"
)

// maxProcessLabels caps the process label of the exporters' series: the
// first 32 distinct process names get their own, later ones share
// "other", so a host that forks thousands of short-lived tools cannot
// grow a scrape without bound (docs/metrics.md).
const maxProcessLabels = 32

// otherProcess is the label past the cap.
const otherProcess = "other"

// maxPIDNames bounds the PID-to-label map; past it the map starts over,
// which costs only a re-lookup of each live PID.
const maxPIDNames = 1 << 16

// latencyBounds are the histogram's upper bounds in seconds: 1 µs to
// 10 s, three per decade, wide enough for a launch and a stalled sync.
var latencyBounds = []float64{1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4,
	1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// meter keeps what the Prometheus and OTLP exporters publish. The
// pipeline goroutine feeds it a batch at a time and the ticker once a
// second; the exporters read a copy (read) from their own goroutines,
// hence the lock, taken once per batch rather than per event.
type meter struct {
	mu            sync.Mutex
	start         time.Time
	launchLatency bool

	labels map[string]bool   // process labels handed out, at most maxProcessLabels
	byPID  map[uint32]string // each PID's label

	latency  map[seriesKey]*latencySeries
	launches map[seriesKey]uint64
	events   [256]uint64 // by source

	counters    shared.Counters   // kernel drops and sampled-out records, by source
	undecodable map[string]uint64 // by probe family
	snap        event.Snapshot
	haveSnap    bool
	chains      [event.SeverityHigh + 1]int // live chains by severity
	throttle    []gpu.Throttle
}

// isLaunch marks the launch ops, looked up per event without a map.
var isLaunch = func() (t [256][256]bool) {
	for _, o := range event.Ops() {
		t[o.Source][o.Op] = o.Class == event.ClassLaunch
	}
	return t
}()

type seriesKey struct {
	source  event.Source
	op      event.Op
	process string
}

type latencySeries struct {
	buckets []uint64 // per bound, not cumulative; the last counts past the largest bound
	sum     float64  // seconds
	count   uint64
}

func newMeter(start time.Time, launchLatency bool) *meter {
	return &meter{start: start, launchLatency: launchLatency,
		labels: map[string]bool{}, byPID: map[uint32]string{},
		latency: map[seriesKey]*latencySeries{}, launches: map[seriesKey]uint64{},
		undecodable: map[string]uint64{}}
}

// observe counts a batch: every event by source, launches by op and
// process, and the duration of every timed call. An entry-only launch
// (without --launch-latency) has no duration to observe.
func (m *meter) observe(b []event.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range b {
		e := &b[i]
		m.events[e.Source]++
		launch := isLaunch[e.Source][e.Op]
		if !launch && e.DurNs <= 0 {
			continue
		}
		k := seriesKey{e.Source, e.Op, m.processLabel(e)}
		if launch {
			m.launches[k]++
			if !m.launchLatency {
				continue
			}
		}
		s := m.latency[k]
		if s == nil {
			s = &latencySeries{buckets: make([]uint64, len(latencyBounds)+1)}
			m.latency[k] = s
		}
		s.add(float64(e.DurNs) / 1e9)
	}
}

func (s *latencySeries) add(sec float64) {
	i := 0
	for i < len(latencyBounds) && sec > latencyBounds[i] {
		i++
	}
	s.buckets[i]++
	s.sum += sec
	s.count++
}

// processLabel names an event's process: its main thread's name when
// that thread was the first seen, else the first thread's, kept for the
// PID's life so one process does not split into series.
func (m *meter) processLabel(e *event.Event) string {
	if l, ok := m.byPID[e.PID]; ok {
		return l
	}
	if len(m.byPID) >= maxPIDNames {
		clear(m.byPID)
	}
	l := e.Comm
	if l == "" {
		l = "unknown"
	}
	if !m.labels[l] {
		if len(m.labels) >= maxProcessLabels {
			l = otherProcess
		} else {
			m.labels[l] = true
		}
	}
	m.byPID[e.PID] = l
	return l
}

// setLoss replaces the loss counters: the kernel's by source, user
// space's by family.
func (m *meter) setLoss(c shared.Counters, undecodable map[string]uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counters = c
	m.undecodable = undecodable
}

func (m *meter) setSnapshot(s event.Snapshot) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.snap, m.haveSnap = s, true
}

// setChains counts the live analysis's current chains by severity.
func (m *meter) setChains(cs []event.Chain) {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.chains[:])
	for _, c := range cs {
		if int(c.Severity) < len(m.chains) {
			m.chains[c.Severity]++
		}
	}
}

func (m *meter) setThrottle(ts []gpu.Throttle) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.throttle = ts
}
