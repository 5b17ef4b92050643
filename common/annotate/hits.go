package annotate

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"ingero.dev/common/event"
)

// Hits returns the label sets in force at a chain's timeline steps, the
// moments its evidence points at: at each step, the latest instant at or
// before it and the spans that contain it, each set once, in order of
// first hit. Where Chain says what the chain's whole stretch overlapped,
// Hits names the training steps and requests the slow calls fell in. A
// chain without a timeline is looked up at its detection time.
func (ix *Index) Hits(ch event.Chain) []map[string]string {
	times := []int64{ch.DetectedNs}
	if len(ch.Timeline) > 0 {
		times = times[:0]
		for _, te := range ch.Timeline {
			times = append(times, te.TimeNs)
		}
	}
	applies := func(a event.Annotation) bool {
		return (a.PID == 0 || ch.PID == 0 || a.PID == ch.PID) && sameNode(a.Node, ch.Node)
	}
	var out []map[string]string
	seen := map[string]bool{}
	add := func(l map[string]string) {
		k := labelKey(l)
		if !seen[k] {
			seen[k] = true
			out = append(out, l)
		}
	}
	for _, t := range times {
		i := sort.Search(len(ix.instants), func(i int) bool { return ix.instants[i].TimeNs > t })
		for i--; i >= 0; i-- {
			if a := ix.instants[i]; applies(a) {
				add(a.Labels)
				break
			}
		}
		for _, a := range ix.spans {
			if a.SpanStart > t {
				break
			}
			if End(a) >= t && applies(a) {
				add(a.Labels)
			}
		}
	}
	return out
}

// ChainHits answers Hits for each chain, in order.
func (ix *Index) ChainHits(chains []event.Chain) [][]map[string]string {
	out := make([][]map[string]string, len(chains))
	for i, ch := range chains {
		out[i] = ix.Hits(ch)
	}
	return out
}

func labelKey(l map[string]string) string {
	var b []byte
	for _, k := range slices.Sorted(maps.Keys(l)) {
		b = fmt.Appendf(b, "%q=%q;", k, l[k])
	}
	return string(b)
}
