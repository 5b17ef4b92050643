package query

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
	"ingero.dev/common/ndjson"
	"ingero.dev/common/recording"
	"ingero.dev/common/timerange"
)

// tableSink prints events as aligned columns with fixed widths, so rows
// stream out without waiting for the widest one. TIME is the time of day
// in the local zone, with the date when the window crosses midnight.
type tableSink struct {
	w           *bufio.Writer
	rec         *recording.Recording
	rng         timerange.Range
	timeLayout  string
	limit       int
	annotations bool
	headed      bool
}

func newTableSink(w io.Writer, rec *recording.Recording, rng timerange.Range, limit int, annotations bool) *tableSink {
	layout := "2006-01-02 15:04:05.000000"
	if !rng.From.IsZero() && sameDay(rng.From, rng.To) {
		layout = "15:04:05.000000"
	}
	return &tableSink{w: bufio.NewWriter(w), rec: rec, rng: rng, timeLayout: layout, limit: limit,
		annotations: annotations}
}

const rowFormat = "%-*s  %7v  %-15s  %-6s  %-22s  %8s  %4v  %s\n"

func (t *tableSink) event(ev *event.Event, labels []map[string]string) error {
	if !t.headed {
		t.headed = true
		fmt.Fprintf(t.w, rowFormat, len(t.timeLayout), "TIME", "PID", "COMM", "LAYER", "OP", "DURATION", "RET", "ARGS")
	}
	args := ndjson.Pairs(ev)
	if t.annotations {
		args = strings.TrimLeft(args+" "+labelText(labels), " ")
	}
	dur := "-"
	if ev.DurNs != 0 {
		dur = hist.FormatNs(ev.DurNs)
	}
	ts := ev.Time().In(t.rng.To.Location()).Format(t.timeLayout)
	_, err := fmt.Fprintf(t.w, rowFormat, len(t.timeLayout), ts, ev.PID, ndjson.Printable(ev.Comm),
		ev.Source.Layer(), ev.OpName(), dur, ev.Ret, args)
	return err
}

// labelText shows each applying annotation as {name=value …}.
func labelText(labels []map[string]string) string {
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(l)) {
			kv = append(kv, k+"="+ndjson.ValueText(l[k]))
		}
		parts = append(parts, "{"+strings.Join(kv, " ")+"}")
	}
	return strings.Join(parts, " ")
}

func (t *tableSink) done(shown, matched int64) error {
	matched = max(matched, shown) // a live writer may add events between count and read
	switch {
	case shown == 0:
		t.w.WriteString(t.noMatch())
	case shown < matched:
		fmt.Fprintf(t.w, "Showing the newest %s of %s matching events in %s; raise --limit (0 shows all) or narrow with --since, --pid, --op.\n",
			hist.FormatCount(shown), hist.FormatCount(matched), t.rng)
	default:
		fmt.Fprintf(t.w, "%s matching %s in %s.\n", hist.FormatCount(matched), plural(matched, "event", "events"), t.rng)
	}
	return t.w.Flush()
}

// noMatch says that nothing matched and where the recording's events are,
// so the next attempt can aim at them.
func (t *tableSink) noMatch() string {
	msg := fmt.Sprintf("No matching events in %s.", t.rng)
	span, err := t.rec.Source.TimeSpan()
	switch {
	case err != nil:
	case span.Events == 0:
		msg += " The recording holds no events: is 'sudo ingero trace' recording?"
	default:
		loc := t.rng.To.Location()
		whole := timerange.Range{From: timeOf(span.FirstNs, loc), To: timeOf(span.LastNs, loc)}
		msg += fmt.Sprintf(" The recording's %s %s span %s; widen --since or use --from/--to.",
			hist.FormatCount(span.Events), plural(span.Events, "event", "events"), whole)
	}
	return msg + "\n"
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
