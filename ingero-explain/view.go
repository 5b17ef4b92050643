package explain

import (
	"fmt"
	"strings"
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/timerange"
)

// view is what the renderers need: the report and how to show it.
type view struct {
	rep    *causal.Report
	req    request
	loc    *time.Location
	stored bool                  // chains come from the store (--chains)
	labels [][]map[string]string // per chain, with --annotations
	hits   [][]map[string]string // per chain, with --annotations: at its steps
	hint   string                // with no events: where the recording's events are
}

// clock writes a time of day, with the date when it is not today.
func (v *view) clock(ns int64) string {
	t := time.Unix(0, ns).In(v.loc)
	if sameDay(t, v.req.now) {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

// window describes the span analysed: "5m (15:40:00 to 15:45:00)".
func (v *view) window() string {
	from, to := v.rep.FromNs, v.rep.ToNs
	if from == 0 {
		return "all recorded history (up to " + v.clock(to) + ")"
	}
	return fmt.Sprintf("%s (%s to %s)", timerange.FormatDuration(time.Duration(to-from)), v.clock(from), v.clock(to))
}

// pidNote names the --pid filter, if any: " of PID 4821,5032".
func (v *view) pidNote() string {
	if len(v.req.opts.PIDs) == 0 {
		return ""
	}
	var s []string
	for _, p := range v.req.opts.PIDs {
		s = append(s, fmt.Sprint(p))
	}
	return " of PID " + strings.Join(s, ",")
}

func sameDay(a, b time.Time) bool {
	y1, m1, d1 := a.Date()
	y2, m2, d2 := b.In(a.Location()).Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
