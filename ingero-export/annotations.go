package export

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ingero.dev/common/recording"
)

// annotations marks the recording's external labels (request IDs, training
// phases) on their node: spans as slices, instants as instants, the labels
// as args. Spans may overlap (concurrent requests), and slices on one track
// must nest, so each span takes the first lane of its node free at its
// start ("annotations", "annotations 2", …).
func (b *builder) annotations(rec *recording.Recording, sel selection) error {
	anns, err := rec.Annotations(sel.fromNs, sel.toNs)
	if err != nil {
		return err
	}
	lanes := map[string][]int64{} // node → when each lane is free again
	for _, a := range anns {
		if a.PID != 0 && !sel.wantPID(a.PID) {
			continue
		}
		start, dur := a.TimeNs, int64(0)
		if a.SpanStart != 0 || a.SpanEnd != 0 {
			start = a.SpanStart
			if a.SpanEnd > a.SpanStart {
				dur = a.SpanEnd - a.SpanStart
			}
		}
		free := lanes[a.Node]
		lane := slices.IndexFunc(free, func(t int64) bool { return t <= start })
		if lane < 0 {
			lane = len(free)
			free = append(free, 0)
		}
		free[lane] = start + dur
		if dur == 0 {
			free[lane] = start + 1 // an instant nests anywhere but must not share a span's start
		}
		lanes[a.Node] = free
		tr, err := b.tr.annotationTrack(a.Node, lane)
		if err != nil {
			return err
		}
		args := []arg{}
		if a.PID != 0 {
			args = append(args, uintArg("pid", uint64(a.PID)))
		}
		keys := make([]string, 0, len(a.Labels))
		for k := range a.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			args = append(args, strArg(k, a.Labels[k]))
		}
		b.sl = slice{track: tr, ts: start, dur: dur, name: labelName(keys, a.Labels), cat: "annotation", args: args}
		if err := b.out.slice(&b.sl); err != nil {
			return err
		}
	}
	return nil
}

// labelName shows the labels as "k=v k=v", short enough for a slice.
func labelName(keys []string, labels map[string]string) string {
	var sb strings.Builder
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%s=%s", k, labels[k])
		if sb.Len() > 80 {
			return sb.String()[:80] + "…"
		}
	}
	if sb.Len() == 0 {
		return "annotation"
	}
	return sb.String()
}
