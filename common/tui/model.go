package tui

import (
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/sysinfo"
)

// Model is everything one refresh shows.
type Model struct {
	Now      time.Time     // wall time of the refresh
	Elapsed  time.Duration // since trace started
	Duration time.Duration // --duration; 0 runs until interrupted

	System System

	// Sections holds the op rows of each section in op-id order, which
	// keeps rows from jumping around between refreshes.
	Sections [numSections][]Row

	// LaunchLatency mirrors --launch-latency: without it launches are
	// probed at entry only and have a count and a rate but no latency.
	LaunchLatency bool

	EventsPerSec float64 // over the last interval (the session, after AverageRates)
	TotalEvents  uint64
	Drops        event.SessionStats // Events is unused here; the drop counters are shown

	DBPath  string // "" when not recording (--record=false)
	DBBytes int64
	Targets []Target
}

// System is the host context of the refresh.
type System struct {
	Valid    bool // false until the first snapshot
	Snapshot event.Snapshot
	Totals   sysinfo.Totals
}

// Target is one traced process.
type Target struct {
	PID  uint32
	Name string
}

// Section identifies one table of the view.
type Section int

// Sections in display order. NCCL collectives show with the runtime (they
// are library calls with latencies); block IO, TCP and socket events show
// with the host.
const (
	SectionRuntime Section = iota
	SectionDriver
	SectionHost
	SectionGraph
	numSections
)

var sectionTitles = [numSections]string{"CUDA Runtime API", "CUDA Driver API", "Host Context", "CUDA Graph events"}
var sectionKeys = [numSections]string{"runtime", "driver", "host", "graph"}

// Title is the section's heading.
func (s Section) Title() string { return sectionTitles[s] }

// SectionOf places a source in a section; ok is false for sources that are
// not shown as rows (the tracer's own meta events).
func SectionOf(src event.Source) (s Section, ok bool) {
	switch src {
	case event.SourceCUDA, event.SourceNCCL:
		return SectionRuntime, true
	case event.SourceDriver:
		return SectionDriver, true
	case event.SourceGraph:
		return SectionGraph, true
	case event.SourceHost, event.SourceIO, event.SourceTCP, event.SourceNet:
		return SectionHost, true
	}
	return 0, false
}

// Row is one op's line.
type Row struct {
	Source event.Source
	Op     event.Op
	Name   string
	Count  uint64  // since trace started
	Rate   float64 // per second over the last interval

	// Latency is false when the op's durations are not measured (entry-only
	// launches, instant host events); the percentiles and anomaly counts
	// are then meaningless and shown as "-".
	Latency       bool
	P50, P95, P99 int64

	Anomalies    uint64 // events slower than 3× p50, since trace started
	NewAnomalies uint64 // of which in the last interval
	Errors       uint64 // events with a non-zero return code

	// TopPeer is the task most often named as the other side of this op
	// (the preemptor of sched_switch), with how often.
	TopPeer      string
	TopPeerCount uint64
}

// Flags worth a glance, derived from the counters.
func (r *Row) anomalyFlag() bool { return r.NewAnomalies > 0 }
func (r *Row) tailFlag() bool    { return r.Latency && r.P50 > 0 && r.P99 > TailFactor*r.P50 }
func (r *Row) errorFlag() bool   { return r.Errors > 0 }

// TailFactor is the multiple of p50 beyond which an event counts as an
// anomaly, and beyond which a p99 flags the op's tail.
const TailFactor = 3

// AverageRates turns the rates into averages over the whole session: the
// last view of a run that has ended, whose last interval is mostly the
// quiet after its processes exited.
func (m *Model) AverageRates() {
	secs := m.Elapsed.Seconds()
	if secs <= 0 {
		return
	}
	m.EventsPerSec = float64(m.TotalEvents) / secs
	for s := range m.Sections {
		for i := range m.Sections[s] {
			r := &m.Sections[s][i]
			r.Rate = float64(r.Count) / secs
		}
	}
}
