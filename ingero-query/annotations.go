package query

import (
	"math"
	"slices"
	"sort"

	"ingero.dev/common/event"
)

// joiner finds the annotations that apply to each event. An event gets,
// from annotations of its own PID or of PID 0 (trace-wide):
//
//   - the latest instant annotation at or before it, which marks a phase
//     that lasts until the next one ("phase=eval");
//   - every span annotation whose [span_start, span_end] holds it, in
//     order of start (a span with no end is still open).
//
// Events must come in time order: the spans are swept once, so the cost is
// linear in events plus annotations.
type joiner struct {
	instants []event.Annotation // by time
	spans    []event.Annotation // by start
	next     int                // first span not yet started
	active   []event.Annotation
	lastNs   int64
}

func newJoiner(anns []event.Annotation) *joiner {
	j := &joiner{lastNs: math.MinInt64}
	for _, a := range anns {
		if a.SpanStart == 0 && a.SpanEnd == 0 {
			j.instants = append(j.instants, a)
			continue
		}
		if a.SpanEnd == 0 {
			a.SpanEnd = math.MaxInt64
		}
		j.spans = append(j.spans, a)
	}
	sort.SliceStable(j.instants, func(a, b int) bool { return j.instants[a].TimeNs < j.instants[b].TimeNs })
	sort.SliceStable(j.spans, func(a, b int) bool { return j.spans[a].SpanStart < j.spans[b].SpanStart })
	return j
}

// labels returns the label sets that apply to ev, or nil.
func (j *joiner) labels(ev *event.Event) []map[string]string {
	t := ev.TimeNs
	if t < j.lastNs { // out of order: start the sweep again
		j.next, j.active = 0, j.active[:0]
	}
	j.lastNs = t
	for j.next < len(j.spans) && j.spans[j.next].SpanStart <= t {
		j.active = append(j.active, j.spans[j.next])
		j.next++
	}
	j.active = slices.DeleteFunc(j.active, func(a event.Annotation) bool { return a.SpanEnd < t })

	var out []map[string]string
	if a, ok := j.instantAt(t, ev.PID); ok {
		out = append(out, a.Labels)
	}
	for _, a := range j.active {
		if applies(a, ev.PID) {
			out = append(out, a.Labels)
		}
	}
	return out
}

func (j *joiner) instantAt(t int64, pid uint32) (event.Annotation, bool) {
	i := sort.Search(len(j.instants), func(i int) bool { return j.instants[i].TimeNs > t })
	for i--; i >= 0; i-- {
		if applies(j.instants[i], pid) {
			return j.instants[i], true
		}
	}
	return event.Annotation{}, false
}

func applies(a event.Annotation, pid uint32) bool { return a.PID == 0 || a.PID == pid }
