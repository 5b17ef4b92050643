package dashboard

import (
	"context"
	"net/http"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// opsJSON is the per-op table of the window (report.Stats, as mcp's
// get_trace_stats serves it) plus what the page charts. Calls, errors,
// means, maxima and totals are exact at any size (chunk summaries). When
// every event of the window fits the sample the mode is "percentiles";
// otherwise it is "aggregate" and Recent holds the percentiles of the
// newest events.
type opsJSON struct {
	report.Stats
	Live   bool       `json:"live"`
	Sample sampleJSON `json:"sample"`
	// Recent is present only in aggregate mode.
	Recent []recentOp `json:"recent,omitempty"`
	Series seriesJSON `json:"series"`
}

// recentOp is one op's percentiles over the sample.
type recentOp struct {
	Source       string `json:"source"`
	Op           string `json:"op"`
	SampledCalls int64  `json:"sampled_calls"`
	P50Ns        int64  `json:"p50_ns"`
	P95Ns        int64  `json:"p95_ns"`
	P99Ns        int64  `json:"p99_ns"`
}

// sampleJSON describes the events percentiles come from.
type sampleJSON struct {
	Events int64 `json:"events"`
	// Complete is true when the sample is every event of the window;
	// otherwise it is the newest Events of them, back to From.
	Complete bool    `json:"complete"`
	From     *string `json:"from"`
}

func (a *api) ops(ctx context.Context, r *store.Reader, req *http.Request) (any, error) {
	st, err := a.windowStats(ctx, r, req)
	if err != nil {
		return nil, err
	}
	out := opsJSON{Stats: report.NewSummaryStats(st.fromNs(), st.win.ToNs, st.exact), Live: st.win.Live, Sample: st.sample()}
	merged := map[string]*hist.Histogram{}
	for k, h := range st.hists {
		name := k.key.Source.String() + "/" + event.OpName(k.key.Source, k.key.Op)
		m := merged[name]
		if m == nil {
			m = &hist.Histogram{}
			merged[name] = m
		}
		m.Merge(h)
	}
	if st.complete {
		out.Mode = report.ModePercentiles
	}
	for i := range out.Ops {
		o := &out.Ops[i]
		h := merged[o.Source+"/"+o.Op]
		if h == nil {
			continue
		}
		p50, p95, p99 := h.Quantile(0.5), h.Quantile(0.95), h.Quantile(0.99)
		if st.complete {
			o.P50Ns, o.P95Ns, o.P99Ns = &p50, &p95, &p99
			continue
		}
		out.Recent = append(out.Recent, recentOp{Source: o.Source, Op: o.Op, SampledCalls: int64(h.Count()), P50Ns: p50, P95Ns: p95, P99Ns: p99})
	}
	if out.Series, err = opSeriesOf(ctx, r, st.win); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *statsResult) sample() sampleJSON {
	out := sampleJSON{Events: s.sampled, Complete: s.complete}
	if s.sampled > 0 {
		from := stamp(s.sampleNs)
		out.From = &from
	}
	return out
}

// fromNs is the window's start, or its first event's time when the
// window has no start, so that rates and wall shares divide by the span
// that holds data.
func (s *statsResult) fromNs() int64 {
	if s.win.FromNs != 0 {
		return s.win.FromNs
	}
	first := int64(0)
	for _, st := range s.exact {
		if first == 0 || st.FirstNs < first {
			first = st.FirstNs
		}
	}
	if first == 0 {
		return s.win.ToNs
	}
	return first
}
