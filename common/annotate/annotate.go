// Package annotate decides which annotations cover an event or a causal
// chain. It is the one statement of the rule that query --annotations,
// explain --annotations, mcp and the dashboard share (docs/json.md):
//
//   - only annotations of the event's own PID or of PID 0 (trace-wide)
//     count; a host-wide chain (PID 0) takes every process's;
//   - an instant annotation marks a phase that lasts until the next one,
//     so an event gets the latest instant at or before it;
//   - a span [span_start, span_end] covers what lies inside it, both ends
//     included; a span with no end is still open.
//
// Entry points: [New] builds an [Index]; [Index.Event] and [Index.Chain]
// answer for one event or chain; [Index.Joiner] answers for a stream of
// events in time order in linear time.
package annotate

import (
	"math"
	"slices"
	"sort"

	"ingero.dev/common/event"
)

// Index holds a recording's annotations, sorted for lookups. It is never
// changed after New, so goroutines may share it.
type Index struct {
	instants []event.Annotation // by time
	spans    []event.Annotation // by start; SpanEnd of an open span is MaxInt64
	all      []event.Annotation // by start (instant time or span start)
}

// New indexes anns; it keeps the order of annotations that start at the
// same time.
func New(anns []event.Annotation) *Index {
	ix := &Index{}
	for _, a := range anns {
		if IsInstant(a) {
			ix.instants = append(ix.instants, a)
		} else {
			ix.spans = append(ix.spans, a)
		}
	}
	ix.all = slices.Clone(anns)
	slices.SortStableFunc(ix.instants, func(a, b event.Annotation) int { return cmpInt(a.TimeNs, b.TimeNs) })
	slices.SortStableFunc(ix.spans, func(a, b event.Annotation) int { return cmpInt(a.SpanStart, b.SpanStart) })
	slices.SortStableFunc(ix.all, func(a, b event.Annotation) int { return cmpInt(Start(a), Start(b)) })
	return ix
}

// Len is the number of annotations indexed.
func (ix *Index) Len() int { return len(ix.all) }

// Event returns the label sets that cover an event of node and pid at t:
// the phase's instant first, then the spans in order of start; nil when
// none does.
func (ix *Index) Event(node string, pid uint32, t int64) []map[string]string {
	var out []map[string]string
	if a, ok := ix.instantAt(t, node, pid); ok {
		out = append(out, a.Labels)
	}
	for _, a := range ix.spans {
		if a.SpanStart > t {
			break
		}
		if End(a) >= t && Applies(a, node, pid) {
			out = append(out, a.Labels)
		}
	}
	return out
}

func (ix *Index) instantAt(t int64, node string, pid uint32) (event.Annotation, bool) {
	i := sort.Search(len(ix.instants), func(i int) bool { return ix.instants[i].TimeNs > t })
	for i--; i >= 0; i-- {
		if Applies(ix.instants[i], node, pid) {
			return ix.instants[i], true
		}
	}
	return event.Annotation{}, false
}

// Chain returns the label sets that cover a chain's timeline, from its
// first step to its last (its detection time when it has none): the latest
// instant at or before the first step, then, in order of start, the
// instants within the timeline and the spans that overlap it. nil when
// none does.
func (ix *Index) Chain(ch event.Chain) []map[string]string {
	lo, hi := Extent(ch)
	var out []map[string]string
	before := -1 // the latest instant at or before lo
	for i, a := range ix.all {
		if Start(a) > hi {
			break
		}
		if !(a.PID == 0 || ch.PID == 0 || a.PID == ch.PID) || !sameNode(a.Node, ch.Node) {
			continue
		}
		switch {
		case IsInstant(a) && a.TimeNs <= lo:
			before = i
		case IsInstant(a):
			out = append(out, a.Labels)
		case End(a) >= lo:
			out = append(out, a.Labels)
		}
	}
	if before >= 0 {
		out = append([]map[string]string{ix.all[before].Labels}, out...)
	}
	return out
}

// Chains answers Chain for each chain, in order.
func (ix *Index) Chains(chains []event.Chain) [][]map[string]string {
	out := make([][]map[string]string, len(chains))
	for i, ch := range chains {
		out[i] = ix.Chain(ch)
	}
	return out
}

// Extent is the span of a chain's timeline, or its detection time when it
// has no timeline.
func Extent(ch event.Chain) (lo, hi int64) {
	if len(ch.Timeline) == 0 {
		return ch.DetectedNs, ch.DetectedNs
	}
	lo, hi = math.MaxInt64, math.MinInt64
	for _, te := range ch.Timeline {
		lo, hi = min(lo, te.TimeNs), max(hi, te.TimeNs)
	}
	return lo, hi
}

// IsInstant tells an instant annotation from a span.
func IsInstant(a event.Annotation) bool { return a.SpanStart == 0 && a.SpanEnd == 0 }

// Start is when an annotation begins: an instant's time, a span's start.
func Start(a event.Annotation) int64 {
	if IsInstant(a) {
		return a.TimeNs
	}
	return a.SpanStart
}

// End is a span's end; a span with no end is still open.
func End(a event.Annotation) int64 {
	if a.SpanEnd == 0 {
		return math.MaxInt64
	}
	return a.SpanEnd
}

// Applies reports whether a counts for an event of node and pid. An
// annotation or event without a node (recorded before annotations carried
// one) matches any node.
func Applies(a event.Annotation, node string, pid uint32) bool {
	return (a.PID == 0 || a.PID == pid) && sameNode(a.Node, node)
}

// sameNode reports whether two node names may be the same node: "" is
// unknown and matches any.
func sameNode(a, b string) bool { return a == "" || b == "" || a == b }

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
