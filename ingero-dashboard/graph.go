package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

var graphOps = []event.Key{
	{Source: event.SourceGraph, Op: event.GraphBeginCapture}, {Source: event.SourceGraph, Op: event.GraphEndCapture},
	{Source: event.SourceGraph, Op: event.GraphInstantiate}, {Source: event.SourceGraph, Op: event.GraphLaunch},
}

// noGraphNote explains an empty graph panel instead of showing zeros
// that look like a measurement.
const noGraphNote = "no CUDA graph events in this window: this build of ingero trace has no graph probes yet (cudaStreamBeginCapture, cudaGraphInstantiate, cudaGraphLaunch); recordings made with them fill this panel"

type graphMetricsJSON struct {
	Window         report.Window `json:"window"`
	Live           bool          `json:"live"`
	Captures       int64         `json:"captures"` // cudaStreamEndCapture calls: finished captures
	Instantiations int64         `json:"instantiations"`
	Launches       int64         `json:"launches"`
	TotalEvents    int64         `json:"total_events"`
	// Mean durations of the calls, ns; 0 without calls.
	MeanCaptureNs     int64   `json:"mean_end_capture_ns"`
	MeanInstantiateNs int64   `json:"mean_instantiate_ns"`
	MeanLaunchNs      int64   `json:"mean_launch_ns"`
	LaunchRatePerS    float64 `json:"launch_rate_per_s"`
	Note              string  `json:"note,omitempty"`
}

func (a *api) graphMetrics(ctx context.Context, r *store.Reader, req *http.Request) (any, error) {
	w, err := a.window(r, req)
	if err != nil {
		return nil, err
	}
	stats, err := r.OpSummary(ctx, store.Filter{FromNs: w.FromNs, ToNs: w.ToNs, Ops: graphOps})
	if err != nil {
		return nil, err
	}
	out := graphMetricsJSON{Window: w.json(), Live: w.Live}
	first := int64(0)
	for _, s := range store.ByOp(stats) {
		out.TotalEvents += s.Count
		switch s.Key.Op {
		case event.GraphEndCapture:
			out.Captures, out.MeanCaptureNs = s.Count, s.MeanNs()
		case event.GraphInstantiate:
			out.Instantiations, out.MeanInstantiateNs = s.Count, s.MeanNs()
		case event.GraphLaunch:
			out.Launches, out.MeanLaunchNs = s.Count, s.MeanNs()
			first = s.FirstNs
		}
	}
	from := w.FromNs
	if from == 0 {
		from = first
	}
	if out.Launches > 0 && w.ToNs > from {
		out.LaunchRatePerS = float64(out.Launches) / (float64(w.ToNs-from) / 1e9)
	}
	if out.TotalEvents == 0 {
		out.Note = noGraphNote
	}
	return out, nil
}

type graphEventsJSON struct {
	Window report.Window `json:"window"`
	Live   bool          `json:"live"`
	// Events are the newest graph events, newest first, each a line of
	// trace --json (docs/json.md).
	Events []json.RawMessage `json:"events"`
	Note   string            `json:"note,omitempty"`
}

const (
	defaultGraphEvents = 100
	maxGraphEvents     = 1000
)

func (a *api) graphEvents(ctx context.Context, r *store.Reader, req *http.Request) (any, error) {
	w, err := a.window(r, req)
	if err != nil {
		return nil, err
	}
	limit, err := limitParam(req, defaultGraphEvents, maxGraphEvents)
	if err != nil {
		return nil, err
	}
	out := graphEventsJSON{Window: w.json(), Live: w.Live, Events: []json.RawMessage{}}
	enc := ndjson.NewEncoder(nil)
	err = r.Events(ctx, store.Filter{FromNs: w.FromNs, ToNs: w.ToNs, Ops: graphOps, Limit: limit, Desc: true}, func(ev *event.Event) error {
		out.Events = append(out.Events, enc.Append(nil, ev))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out.Events) == 0 {
		out.Note = noGraphNote
	}
	return out, nil
}

func limitParam(req *http.Request, def, most int) (int, error) {
	v := req.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, badRequest("limit: want a number from 1 to %d, got %q", most, v)
	}
	return n, nil
}
