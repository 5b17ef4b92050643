package dashboard

import (
	"context"
	"net/http"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
	"ingero.dev/common/store"
)

// maxSample bounds the events decoded for percentiles per answer (about
// 150 ms of one core). Counts, errors, means, minima and maxima are exact
// at any size: they come from the chunk summaries.
var maxSample = 1_000_000

type pidOp struct {
	pid uint32
	key event.Key
}

// statsResult is what /ops and /processes are built from, computed once
// per window for both.
type statsResult struct {
	win   window
	exact []store.OpStat // per (pid, op), exact
	// hists hold the durations of the newest maxSample events of the
	// window, per (pid, op); complete says they are all its events.
	hists     map[pidOp]*hist.Histogram
	sampled   int64
	sampleNs  int64 // time of the oldest sampled event
	complete  bool
	comms     map[uint32]string
	err       error
	eventsAll int64
}

func (a *api) windowStats(ctx context.Context, r *store.Reader, req *http.Request) (*statsResult, error) {
	key := req.URL.Query().Get("since")
	res := a.stats.get(key, func() statsResult {
		var s statsResult
		s.err = s.compute(ctx, a, r, req)
		return s
	})
	return &res, res.err
}

func (s *statsResult) compute(ctx context.Context, a *api, r *store.Reader, req *http.Request) error {
	var err error
	if s.win, err = a.window(r, req); err != nil {
		return err
	}
	f := store.Filter{FromNs: s.win.FromNs, ToNs: s.win.ToNs}
	if s.exact, err = r.OpSummary(ctx, f); err != nil {
		return err
	}
	for _, st := range s.exact {
		s.eventsAll += st.Count
	}
	s.hists = map[pidOp]*hist.Histogram{}
	s.comms = map[uint32]string{}
	f.Limit, f.Desc = maxSample, true
	err = r.Events(ctx, f, func(ev *event.Event) error {
		k := pidOp{ev.PID, ev.Key()}
		h := s.hists[k]
		if h == nil {
			h = &hist.Histogram{}
			s.hists[k] = h
		}
		h.Record(ev.DurNs)
		if _, ok := s.comms[ev.PID]; !ok {
			s.comms[ev.PID] = ev.Comm
		}
		s.sampled++
		s.sampleNs = ev.TimeNs
		return nil
	})
	if err != nil {
		return err
	}
	s.complete = s.sampled >= s.eventsAll
	return s.fillComms(r)
}

// fillComms names the processes the sample missed from process_names,
// the latest name each had.
func (s *statsResult) fillComms(r *store.Reader) error {
	missing := false
	for _, st := range s.exact {
		if _, ok := s.comms[st.PID]; !ok {
			missing = true
			break
		}
	}
	if !missing {
		return nil
	}
	names, err := r.ProcessNames()
	if err != nil {
		return err
	}
	latest := map[uint32]event.ProcessName{}
	for _, n := range names {
		if n.LastNs >= latest[n.PID].LastNs {
			latest[n.PID] = n
		}
	}
	for _, st := range s.exact {
		if _, ok := s.comms[st.PID]; !ok {
			s.comms[st.PID] = latest[st.PID].Comm
		}
	}
	return nil
}
