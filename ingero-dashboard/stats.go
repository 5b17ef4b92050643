package dashboard

import (
	"context"
	"math"
	"net/http"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
	"ingero.dev/common/store"
)

// maxSample bounds the events percentiles are computed over: the newest
// of the window. Their chunks' summaries are cached (chunkCache), so a
// refresh decodes only what is new. Counts, errors, means, minima and
// maxima are exact at any size: they come from the chunk summaries.
var maxSample = 2_000_000

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
	sampleNs  int64 // where the sample starts: its oldest chunk's start, or the window's
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
	// Newest chunks first, until the sample is full: whole chunks, so the
	// sample may pass maxSample by part of one chunk.
	var newest []store.Chunk
	n := int64(0)
	err = r.ChunksNewestFirst(ctx, s.win.FromNs, s.win.ToNs, func(c store.Chunk) bool {
		newest = append(newest, c)
		n += int64(c.Events)
		return n < int64(maxSample)
	})
	if err != nil {
		return err
	}
	chunks := chunksOf(ctx)
	chunks.nextSweep()
	var buf []event.Event
	from, to := s.win.FromNs, s.win.ToNs
	if from == 0 {
		from = math.MinInt64
	}
	s.sampleNs = math.MaxInt64
	for _, c := range newest {
		sum, err := chunks.summary(ctx, r, c, from, to, &buf)
		if err != nil {
			return err
		}
		for k, h := range sum.hists {
			m := s.hists[k]
			if m == nil {
				m = &hist.Histogram{}
				s.hists[k] = m
			}
			m.Merge(h)
			s.sampled += int64(h.Count())
		}
		for pid, comm := range sum.comms {
			if _, ok := s.comms[pid]; !ok {
				s.comms[pid] = comm
			}
		}
		s.sampleNs = min(s.sampleNs, max(c.FirstNs, s.win.FromNs))
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
