package report

import (
	"cmp"
	"context"
	"slices"

	"ingero.dev/common/annotate"
	"ingero.dev/common/event"
	"ingero.dev/common/source"
)

// The two notes that print above every per-request table, in text and in
// JSON, because neither the numbers nor the request IDs say them.
const (
	NoteOverlap = "--by-request output is a TIME-OVERLAP slice, not exclusive kernel ownership; under continuous batching a single kernel can belong to many in-flight requests."
	NoteTrust   = "request_id provenance is only as trustworthy as the single emitter; --by-request is supported only within a single trust domain (one operator owns both the inference server and the trace)."
)

// ByRequest is explain/query --by-request --json: each request span and
// what ran inside it, longest first.
type ByRequest struct {
	Window   Window    `json:"window"`
	Notes    []string  `json:"notes"`
	Requests []Request `json:"requests"` // [] when none
	// OpenSpans counts request spans in the window that have not ended
	// (their writer is still connected): they have no duration yet and
	// are not ranked.
	OpenSpans int `json:"open_spans"`
}

// Request is one span that carries a request_id label.
type Request struct {
	RequestID string `json:"request_id"`
	Node      string `json:"node"`
	PID       uint32 `json:"pid"` // the process whose events it labels; 0 for all
	Start     string `json:"start"`
	End       string `json:"end"`
	// DurationNs is span_end - span_start, both stamped by trace when the
	// writer's lines arrived, so a writer cannot inflate it by claim.
	DurationNs int64 `json:"duration_ns"`
	// Events counts the events of PID that start inside the span.
	Events int64 `json:"events"`
	// GPUAPINs is the wall time inside the span during which PID was in
	// a GPU API call (CUDA runtime, driver, graph, NCCL), overlapping
	// calls counted once.
	GPUAPINs int64             `json:"gpu_api_ns"`
	Labels   map[string]string `json:"labels"`
	// Sender is who wrote the span, as the kernel reported it; null for
	// spans not sent over trace's socket.
	Sender *RequestSender `json:"sender"`

	startNs, endNs int64
	coveredTo      int64 // GPU API time is counted up to here
}

// RequestSender is the writer of a span (SO_PEERCRED).
type RequestSender struct {
	PID        uint32 `json:"pid"`
	UID        uint32 `json:"uid"`
	GID        uint32 `json:"gid"`
	StartTicks uint64 `json:"start_ticks"`
}

// NewByRequest finds the request spans that overlap f's window (of f's
// PIDs, or trace-wide) and sweeps the events once to fill them in.
func NewByRequest(ctx context.Context, src source.Source, f source.Filter) (*ByRequest, error) {
	anns, err := src.Annotations(f.FromNs, f.ToNs)
	if err != nil {
		return nil, err
	}
	br := &ByRequest{Window: NewWindow(f.FromNs, f.ToNs), Notes: []string{NoteOverlap, NoteTrust}, Requests: []Request{}}
	var reqs []*Request
	for _, a := range anns {
		id, ok := a.Labels["request_id"]
		if !ok || annotate.IsInstant(a) || !wantPID(f.PIDs, a.PID) {
			continue
		}
		if a.SpanEnd == 0 {
			br.OpenSpans++
			continue
		}
		reqs = append(reqs, newRequest(id, a))
	}
	if len(reqs) > 0 {
		slices.SortStableFunc(reqs, func(a, b *Request) int { return cmp.Compare(a.startNs, b.startNs) })
		if err := sweep(ctx, src, f, reqs); err != nil {
			return nil, err
		}
	}
	for _, r := range reqs {
		br.Requests = append(br.Requests, *r)
	}
	slices.SortStableFunc(br.Requests, func(a, b Request) int {
		return cmp.Or(cmp.Compare(b.DurationNs, a.DurationNs), cmp.Compare(a.startNs, b.startNs), cmp.Compare(a.RequestID, b.RequestID))
	})
	return br, nil
}

func newRequest(id string, a event.Annotation) *Request {
	r := &Request{RequestID: id, Node: a.Node, PID: a.PID, Start: Stamp(a.SpanStart), End: Stamp(a.SpanEnd),
		DurationNs: a.SpanEnd - a.SpanStart, Labels: a.Labels, startNs: a.SpanStart, endNs: a.SpanEnd, coveredTo: a.SpanStart}
	if s := a.Sender; s != nil {
		r.Sender = &RequestSender{PID: s.PID, UID: s.UID, GID: s.GID, StartTicks: s.StartTicks}
	}
	return r
}

func wantPID(pids []uint32, pid uint32) bool {
	return len(pids) == 0 || pid == 0 || slices.Contains(pids, pid)
}

// sweep reads the events from the first span's start to the last span's
// end once, in time order, keeping the spans that have started and not
// ended.
func sweep(ctx context.Context, src source.Source, f source.Filter, reqs []*Request) error {
	ef := source.Filter{FromNs: max(f.FromNs, reqs[0].startNs), ToNs: reqs[0].endNs, PIDs: f.PIDs}
	for _, r := range reqs {
		ef.ToNs = max(ef.ToNs, r.endNs)
	}
	if f.ToNs != 0 {
		ef.ToNs = min(ef.ToNs, f.ToNs)
	}
	next := 0
	var active []*Request
	return src.Events(ctx, ef, func(e *event.Event) error {
		for next < len(reqs) && reqs[next].startNs <= e.TimeNs {
			active = append(active, reqs[next])
			next++
		}
		active = slices.DeleteFunc(active, func(r *Request) bool { return r.endNs < e.TimeNs })
		for _, r := range active {
			if (r.PID != 0 && r.PID != e.PID) || (r.Node != "" && e.Node != "" && r.Node != e.Node) {
				continue
			}
			r.Events++
			if IsGPUAPI(e.Source) {
				r.addGPU(e.TimeNs, e.TimeNs+e.DurNs)
			}
		}
		return nil
	})
}

// addGPU counts [from, to] clipped to the span, less what an earlier call
// already covered: events arrive by start, so a call nested in another
// (cudaMemcpy and the cuMemcpy it makes) adds nothing twice.
func (r *Request) addGPU(from, to int64) {
	from, to = max(from, r.coveredTo), min(to, r.endNs)
	if to > from {
		r.GPUAPINs += to - from
		r.coveredTo = to
	}
}
