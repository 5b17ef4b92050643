package causal

import (
	"time"

	"ingero.dev/common/event"
)

// Options select what Analyze looks at.
type Options struct {
	FromNs, ToNs int64    // inclusive window, Unix ns; 0 leaves a side open
	PIDs         []uint32 // processes to explain; empty means all
	// Last, when > 0, analyses only the last N events of the window (of
	// the selected processes), as `explain --last N` asks.
	Last int
	// Now anchors relative wording ("3m ago") and the time zone of clock
	// times in the text; zero means time.Now().
	Now time.Time
}

// OpStats describes one op's calls, for one process or for all of them.
type OpStats struct {
	Node   string // the process's node; "" when aggregated over processes
	PID    uint32 // 0 when aggregated over processes
	Comm   string
	Key    event.Key
	Name   string
	Calls  int64
	Errors int64 // calls with a non-zero return code
	// Nearest-rank percentiles from the shared histogram (within 0.4% of
	// the exact value), the largest duration and the sum, in ns.
	P50, P95, P99, MaxNs, TotalNs int64
	Share                         float64 // TotalNs / wall-clock span of the window
	// Untimed is true when no call carried a duration (entry-only
	// probes, as launches are by default): the percentiles then say
	// nothing, and the rate is the measure.
	Untimed bool
	// PerSecond is the call rate over the process's span of GPU calls
	// (GPU ops of one process) or over the window.
	PerSecond float64
}

// Report is the outcome of Analyze.
type Report struct {
	FromNs, ToNs int64 // the window analysed: the bounds asked for, or the first/last event when open
	Events       int64 // events of the selected processes analysed
	Ops          []OpStats
	PerProcess   []OpStats // per (node, pid, op), by node, PID, then calls
	// Contention is true when more than one process of one node made CUDA
	// runtime or driver calls in the window.
	Contention bool
	// Chains are ranked: severity first, then strength of evidence.
	Chains []event.Chain
	// Threads is the wall-time account of every thread that made GPU
	// calls, by PID, then busiest thread first.
	Threads []ThreadAccount
}
