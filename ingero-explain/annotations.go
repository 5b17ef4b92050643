package explain

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// chainLabels finds, for each chain, the annotations that cover its
// timeline [first step, last step] (its detection time when it has no
// timeline): spans that overlap it, instants inside it, and the latest
// instant before it, which marks the phase the chain began in. Only
// annotations of the chain's process or trace-wide ones (PID 0) count; a
// host-wide chain (PID 0) takes every process's.
func chainLabels(r *store.Reader, chains []event.Chain) ([][]map[string]string, error) {
	out := make([][]map[string]string, len(chains))
	if len(chains) == 0 {
		return out, nil
	}
	var hiAll int64
	for _, ch := range chains {
		_, hi := extent(ch)
		hiAll = max(hiAll, hi)
	}
	anns, err := r.Annotations(0, hiAll)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(anns, func(a, b event.Annotation) int { return compareInt(start(a), start(b)) })
	for i, ch := range chains {
		out[i] = labelsFor(ch, anns)
	}
	return out, nil
}

func labelsFor(ch event.Chain, anns []event.Annotation) []map[string]string {
	lo, hi := extent(ch)
	var out []map[string]string
	before := -1 // the latest instant at or before lo
	for i, a := range anns {
		if !(a.PID == 0 || ch.PID == 0 || a.PID == ch.PID) {
			continue
		}
		switch {
		case isInstant(a) && a.TimeNs <= lo:
			before = i
		case isInstant(a) && a.TimeNs <= hi:
			out = append(out, a.Labels)
		case !isInstant(a) && a.SpanStart <= hi && end(a) >= lo:
			out = append(out, a.Labels)
		}
	}
	if before >= 0 {
		out = append([]map[string]string{anns[before].Labels}, out...)
	}
	return out
}

func extent(ch event.Chain) (lo, hi int64) {
	if len(ch.Timeline) == 0 {
		return ch.DetectedNs, ch.DetectedNs
	}
	lo, hi = math.MaxInt64, math.MinInt64
	for _, te := range ch.Timeline {
		lo, hi = min(lo, te.TimeNs), max(hi, te.TimeNs)
	}
	return lo, hi
}

func isInstant(a event.Annotation) bool { return a.SpanStart == 0 && a.SpanEnd == 0 }

func start(a event.Annotation) int64 {
	if isInstant(a) {
		return a.TimeNs
	}
	return a.SpanStart
}

// end is a span's end; a span with no end is still open.
func end(a event.Annotation) int64 {
	if a.SpanEnd == 0 {
		return math.MaxInt64
	}
	return a.SpanEnd
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// labelText shows each annotation as {name=value …}, or "none".
func labelText(labels []map[string]string) string {
	if len(labels) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(l)) {
			v := l[k]
			if strings.ContainsAny(v, " =\"{}\n") {
				v = strconv.Quote(v)
			}
			kv = append(kv, k+"="+v)
		}
		parts = append(parts, "{"+strings.Join(kv, " ")+"}")
	}
	return strings.Join(parts, " ")
}
