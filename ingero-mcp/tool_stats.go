package mcp

import (
	"context"
	"fmt"
	"math"

	"ingero.dev/common/causal"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// maxAnalyzed is the most events one call replays through the causal
// engine (about 7 s on a 2-core VM, with bounded memory); beyond it the
// tools answer from what needs no replay and say how to narrow.
const maxAnalyzed = 30_000_000

// StatsIn takes only the common inputs.
type StatsIn struct {
	Common
}

// StatsOut is the per-op latency table of the window (docs/json.md
// "stats"), with the host's state over it.
type StatsOut struct {
	report.Stats
	Host *HostLoad `json:"host,omitempty"` // absent when no snapshot fell in the window
	Note string    `json:"note,omitempty" fence:"ours"`
}

// HostLoad sums up the host snapshots (about one a second) of the window.
type HostLoad struct {
	Samples      int     `json:"samples"`
	CPUPctMean   float64 `json:"cpu_pct_mean"`
	CPUPctMax    float64 `json:"cpu_pct_max"`
	MemPctMax    float64 `json:"mem_pct_max"`
	SwapUsedMBMx int64   `json:"swap_used_mb_max"`
	Load1Max     float64 `json:"load1_max"`
}

func (s *server) traceStats(ctx context.Context, in StatsIn) (*StatsOut, error) {
	r, w, err := s.openWindow(in.Common)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rows, err := r.OpSummary(ctx, store.Filter{FromNs: w.FromNs, ToNs: w.ToNs})
	if err != nil {
		return nil, err
	}
	out := &StatsOut{}
	if n := countOf(rows); n > s.analyzeCap {
		out.Stats = report.NewSummaryStats(w.bounds(), w.end(), rows)
		out.Note = fmt.Sprintf("%d events in the window, more than the %d replayed for percentiles: counts, means and maxima come from the chunk summaries; pass a shorter since for p50/p95/p99", n, s.analyzeCap)
	} else {
		rep, err := causal.Analyze(ctx, r, causal.Options{FromNs: w.FromNs, ToNs: w.ToNs})
		if err != nil {
			return nil, err
		}
		out.Stats = report.NewStats(rep)
		if rep.Events == 0 {
			out.Note = emptyNote(w)
		}
	}
	out.Host, err = hostLoad(ctx, r, w)
	return out, err
}

// bounds is the window's start, or the first event's when open.
func (w window) bounds() int64 {
	if w.FromNs != 0 {
		return w.FromNs
	}
	return w.Span.FirstNs
}

func countOf(rows []store.OpStat) int64 {
	var n int64
	for _, r := range rows {
		n += r.Count
	}
	return n
}

// emptyNote says why a window holds no events: an empty file, or a since
// that is too short.
func emptyNote(w window) string {
	if w.Span.Events == 0 {
		return "the recording holds no events yet: is ingero trace running, and is -d the file it writes?"
	}
	return "no events in this window; widen since (empty: the whole recording)"
}

// hostLoad aggregates in SQL: a day of snapshots is 86,400 rows, and a
// crafted file may hold far more.
func hostLoad(ctx context.Context, r *store.Reader, w window) (*HostLoad, error) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if w.FromNs != 0 {
		from = w.FromNs
	}
	if w.ToNs != 0 {
		to = w.ToNs
	}
	res, err := r.Query(ctx, 1, `SELECT count(*), coalesce(avg(cpu_pct), 0), coalesce(max(cpu_pct), 0), coalesce(max(mem_pct), 0),
		coalesce(max(swap_used_mb), 0), coalesce(max(load1), 0) FROM snapshots WHERE ts BETWEEN ? AND ?`, from, to)
	if err != nil || len(res.Rows) == 0 || num(res.Rows[0][0]) == 0 {
		return nil, err
	}
	row := res.Rows[0]
	return &HostLoad{Samples: int(num(row[0])), CPUPctMean: round3(flt(row[1])), CPUPctMax: flt(row[2]),
		MemPctMax: flt(row[3]), SwapUsedMBMx: num(row[4]), Load1Max: flt(row[5])}, nil
}

func flt(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}
