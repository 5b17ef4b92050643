package dashboard

import (
	"context"
	"net/http"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// processesJSON is explain --per-process --json (docs/json.md): calls,
// errors, maxima and totals exact; percentiles from the sample it
// describes.
type processesJSON struct {
	report.PerProcess
	Live   bool       `json:"live"`
	Sample sampleJSON `json:"sample"`
}

func (a *api) processes(ctx context.Context, r *store.Reader, req *http.Request) (any, error) {
	st, err := a.windowStats(ctx, r, req)
	if err != nil {
		return nil, err
	}
	rep := &causal.Report{FromNs: st.win.FromNs, ToNs: st.win.ToNs, Events: st.eventsAll}
	cudaPIDs := map[uint32]bool{}
	for _, s := range st.exact {
		if s.Key.Source == event.SourceCUDA || s.Key.Source == event.SourceDriver {
			cudaPIDs[s.PID] = true
		}
		rep.PerProcess = append(rep.PerProcess, st.opStats(s, st.win.ToNs-st.fromNs()))
	}
	rep.Contention = len(cudaPIDs) > 1
	return processesJSON{PerProcess: report.NewPerProcess(rep), Live: st.win.Live, Sample: st.sample()}, nil
}

// opStats joins a process's exact counts with its sampled percentiles;
// the rate is over the window (span ns), and an op none of whose calls
// carried a duration (entry-only launches) is marked untimed, so the page
// shows its rate rather than "p50 0ns".
func (s *statsResult) opStats(e store.OpStat, span int64) causal.OpStats {
	o := causal.OpStats{PID: e.PID, Comm: s.comms[e.PID], Key: e.Key, Name: e.Name, Calls: e.Count, Errors: e.Errors,
		MaxNs: e.DurMaxNs, TotalNs: e.DurSumNs, Untimed: e.Count > 0 && e.DurMaxNs == 0}
	if span > 0 {
		o.Share = float64(o.TotalNs) / float64(span)
		o.PerSecond = float64(o.Calls) / (float64(span) / 1e9)
	}
	if h := s.hists[pidOp{e.PID, e.Key}]; h != nil {
		o.P50, o.P95, o.P99 = h.Quantile(0.5), h.Quantile(0.95), h.Quantile(0.99)
	}
	return o
}
