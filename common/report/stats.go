package report

import (
	"math"

	"ingero.dev/common/causal"
	"ingero.dev/common/store"
)

// Stats modes: how the per-op numbers were computed.
const (
	// ModePercentiles: from a full analysis pass, with percentiles.
	ModePercentiles = "percentiles"
	// ModeAggregate: from the store's chunk summaries, which need no
	// decoding and so suit any size of recording, but hold no
	// percentiles.
	ModeAggregate = "aggregate"
)

// Stats is the per-op latency table of a window, over all processes: what
// mcp's get_trace_stats and the dashboard's /api/v1/ops serve.
type Stats struct {
	Window Window   `json:"window"`
	Events int64    `json:"events"`
	Mode   string   `json:"mode"` // ModePercentiles or ModeAggregate
	Ops    []OpStat `json:"ops"`  // busiest first; [] when none
}

// OpStat is one op's statistics over the window.
type OpStat struct {
	Source  string `json:"source"`
	Op      string `json:"op"`
	Calls   int64  `json:"calls"`
	Errors  int64  `json:"errors"`
	MeanNs  int64  `json:"mean_ns"`
	MaxNs   int64  `json:"max_ns"`
	TotalNs int64  `json:"total_ns"`
	// WallShare is TotalNs over the window's length: 0.25 means the op's
	// calls, added up, took a quarter of the wall-clock time.
	WallShare float64 `json:"wall_share"`
	// Percentiles only in ModePercentiles.
	P50Ns *int64 `json:"p50_ns,omitempty"`
	P95Ns *int64 `json:"p95_ns,omitempty"`
	P99Ns *int64 `json:"p99_ns,omitempty"`
}

// NewStats builds the table from an analysis pass (rep.Ops).
func NewStats(rep *causal.Report) Stats {
	out := Stats{Window: NewWindow(rep.FromNs, rep.ToNs), Events: rep.Events, Mode: ModePercentiles, Ops: make([]OpStat, 0, len(rep.Ops))}
	for _, s := range rep.Ops {
		p50, p95, p99 := s.P50, s.P95, s.P99
		out.Ops = append(out.Ops, OpStat{
			Source: s.Key.Source.String(), Op: s.Name, Calls: s.Calls, Errors: s.Errors,
			MeanNs: mean(s.TotalNs, s.Calls), MaxNs: s.MaxNs, TotalNs: s.TotalNs, WallShare: round6(s.Share),
			P50Ns: &p50, P95Ns: &p95, P99Ns: &p99,
		})
	}
	return out
}

// NewSummaryStats builds the table from store.Reader.OpSummary's rows
// (per process or already merged by store.ByOp) over [fromNs, toNs].
func NewSummaryStats(fromNs, toNs int64, rows []store.OpStat) Stats {
	rows = store.ByOp(rows)
	out := Stats{Window: NewWindow(fromNs, toNs), Mode: ModeAggregate, Ops: make([]OpStat, 0, len(rows))}
	span := toNs - fromNs
	for _, s := range rows {
		out.Events += s.Count
		st := OpStat{Source: s.Key.Source.String(), Op: s.Name, Calls: s.Count, Errors: s.Errors,
			MeanNs: s.MeanNs(), MaxNs: s.DurMaxNs, TotalNs: s.DurSumNs}
		if span > 0 {
			st.WallShare = round6(float64(s.DurSumNs) / float64(span))
		}
		out.Ops = append(out.Ops, st)
	}
	return out
}

func mean(total, n int64) int64 {
	if n == 0 {
		return 0
	}
	return total / n
}

// round6 keeps shares readable (0.251437) without losing what matters.
func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }
