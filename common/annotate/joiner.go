package annotate

import (
	"math"
	"slices"

	"ingero.dev/common/event"
)

// Joiner answers Index.Event for events that come in time order, sweeping
// the spans once: the cost is linear in events plus annotations, where
// Event alone rescans the started spans for every event. Events out of
// order are still answered right, by starting the sweep again. A Joiner is
// for one goroutine.
type Joiner struct {
	ix     *Index
	next   int // first span not yet started
	active []event.Annotation
	lastNs int64
}

// Joiner starts a sweep over the index.
func (ix *Index) Joiner() *Joiner { return &Joiner{ix: ix, lastNs: math.MinInt64} }

// Labels returns what Index.Event(node, pid, t) returns.
func (j *Joiner) Labels(node string, pid uint32, t int64) []map[string]string {
	if t < j.lastNs { // out of order: start the sweep again
		j.next, j.active = 0, j.active[:0]
	}
	j.lastNs = t
	spans := j.ix.spans
	for j.next < len(spans) && spans[j.next].SpanStart <= t {
		j.active = append(j.active, spans[j.next])
		j.next++
	}
	j.active = slices.DeleteFunc(j.active, func(a event.Annotation) bool { return End(a) < t })

	var out []map[string]string
	if a, ok := j.ix.instantAt(t, node, pid); ok {
		out = append(out, a.Labels)
	}
	for _, a := range j.active {
		if Applies(a, node, pid) {
			out = append(out, a.Labels)
		}
	}
	return out
}
