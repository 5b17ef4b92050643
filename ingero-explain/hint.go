package explain

import (
	"context"
	"fmt"
	"time"

	"ingero.dev/common/hist"
	"ingero.dev/common/source"
	"ingero.dev/common/timerange"
)

// emptyHint says where the recording's events are when the window holds
// none, so the next run can aim at them.
func emptyHint(r source.Source, req request) (string, error) {
	span, err := r.TimeSpan()
	if err != nil {
		return "", err
	}
	if span.Events == 0 {
		return "The recording holds no events yet: check that 'sudo ingero trace' is recording ('ingero check' says what it needs).", nil
	}
	if len(req.opts.PIDs) > 0 {
		n, err := countEvents(context.Background(), r, req.opts.FromNs, req.opts.ToNs, nil)
		if err != nil {
			return "", err
		}
		if n > 0 {
			return fmt.Sprintf("The window holds %s %s of other processes; check --pid, or leave it out.", hist.FormatCount(n), plural(n, "event", "events")), nil
		}
	}
	first, last := time.Unix(0, span.FirstNs).In(req.now.Location()), time.Unix(0, span.LastNs).In(req.now.Location())
	msg := fmt.Sprintf("The recording's %s %s span %s", hist.FormatCount(span.Events), plural(span.Events, "event", "events"),
		timerange.Range{From: first, To: last})
	if span.LastNs < req.opts.FromNs && !req.toGiven {
		return msg + fmt.Sprintf("; try --since %s.", timerange.FormatDuration(roundUp(req.now.Sub(first)))), nil
	}
	const layout = "2006-01-02 15:04:05"
	return msg + fmt.Sprintf("; try --from %q --to %q.", first.Format(layout), last.Add(time.Second).Truncate(time.Second).Format(layout)), nil
}

// roundUp rounds a look-back up to a span a person would type: whole
// minutes up to an hour, whole hours up to two days, then whole days.
func roundUp(d time.Duration) time.Duration {
	unit := 24 * time.Hour
	switch {
	case d <= time.Hour:
		unit = time.Minute
	case d <= 48*time.Hour:
		unit = time.Hour
	}
	return (d + unit - 1) / unit * unit
}
