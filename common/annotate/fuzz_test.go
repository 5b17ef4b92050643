package annotate

import (
	"encoding/binary"
	"math"
	"reflect"
	"strconv"
	"testing"

	"ingero.dev/common/event"
)

// decodeFuzz turns fuzz bytes into annotations and event times: 13 bytes
// an annotation (kind, pid, node, three int16 times), and the times to
// ask about after them. Small times make overlaps likely.
func decodeFuzz(b []byte) (anns []event.Annotation, ts []int64) {
	for len(b) >= 13 {
		kind, pid, node := b[0]%4, uint32(b[1]%3), []string{"", "a", "b"}[b[2]%3]
		t := func(i int) int64 { return int64(int16(binary.LittleEndian.Uint16(b[i:]))) }
		a := event.Annotation{PID: pid, Node: node, Labels: map[string]string{"i": strconv.Itoa(len(anns))}}
		switch kind {
		case 0:
			a.TimeNs = t(3)
		case 1:
			a.SpanStart, a.SpanEnd = t(5), t(7)
		case 2:
			a.SpanStart = t(5) // open
		case 3:
			a.TimeNs, a.SpanStart, a.SpanEnd = math.MinInt64+t(3), t(5), math.MaxInt64
		}
		anns = append(anns, a)
		b = b[13:]
	}
	for len(b) >= 2 {
		ts = append(ts, int64(int16(binary.LittleEndian.Uint16(b))))
		b = b[2:]
	}
	return anns, ts
}

// FuzzCoverage checks the rule three ways on arbitrary annotations: the
// Joiner (a sweep) answers exactly what Index.Event (a lookup) does, in
// and out of time order, and both match the rule as docs/json.md states
// it, computed here by brute force.
func FuzzCoverage(f *testing.F) {
	f.Add([]byte{0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 5, 0, 20, 0, 0, 0, 0, 0, 5, 0, 15, 0, 25, 0, 4, 0})
	f.Add([]byte{2, 1, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 7, 0, 3, 0, 2, 0})
	f.Add([]byte{3, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		anns, ts := decodeFuzz(b)
		ix := New(anns)
		j := ix.Joiner()
		for _, tm := range ts {
			for _, node := range []string{"a", "b", ""} {
				for pid := range uint32(3) {
					got, swept := ix.Event(node, pid, tm), j.Labels(node, pid, tm)
					if want := bruteForce(anns, node, pid, tm); !reflect.DeepEqual(got, want) {
						t.Fatalf("Event(%q, %d, %d) = %v, the rule says %v (annotations %+v)", node, pid, tm, got, want, anns)
					}
					if !reflect.DeepEqual(got, swept) {
						t.Fatalf("Joiner(%q, %d, %d) = %v, Event says %v (annotations %+v)", node, pid, tm, swept, got, anns)
					}
				}
			}
		}
		ix.Chain(event.Chain{PID: 1, Node: "a"})
	})
}

// bruteForce is the rule read off docs/json.md: the latest applicable
// instant at or before t (the last given among equal times), then every
// applicable span containing t, by start, ties in the order given.
func bruteForce(anns []event.Annotation, node string, pid uint32, t int64) []map[string]string {
	var out []map[string]string
	inst := -1
	for i, a := range anns {
		if IsInstant(a) && Applies(a, node, pid) && a.TimeNs <= t && (inst < 0 || a.TimeNs >= anns[inst].TimeNs) {
			inst = i
		}
	}
	if inst >= 0 {
		out = append(out, anns[inst].Labels)
	}
	var spans []event.Annotation
	for _, a := range anns {
		if !IsInstant(a) && Applies(a, node, pid) && a.SpanStart <= t && End(a) >= t {
			spans = append(spans, a)
		}
	}
	for lo := range spans { // stable insertion sort by start
		for k := lo; k > 0 && spans[k].SpanStart < spans[k-1].SpanStart; k-- {
			spans[k], spans[k-1] = spans[k-1], spans[k]
		}
	}
	for _, a := range spans {
		out = append(out, a.Labels)
	}
	return out
}
