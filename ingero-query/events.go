package query

import (
	"context"
	"time"

	"ingero.dev/common/annotate"
	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/recording"
	"ingero.dev/common/source"
	"ingero.dev/common/timerange"
)

// sink receives the events to print, in time order.
type sink interface {
	event(ev *event.Event, labels []map[string]string) error
	// done ends the output; shown and matched count the events.
	done(shown, matched int64) error
}

// listEvents prints the matching events: with a limit, the newest that
// many, still in time order (as tail does), so a table reads top to
// bottom; without one, every match, streamed with bounded memory.
func (c *config) listEvents(ctx context.Context, rec *recording.Recording) error {
	rng, err := c.window.Resolve(c.now())
	if err != nil {
		return err
	}
	pids, _ := cli.ParsePIDs(c.pids) // checked already
	ops, _ := parseOps(c.ops)
	f := source.Filter{ToNs: rng.To.UnixNano(), PIDs: pids, Ops: ops}
	if !rng.From.IsZero() {
		f.FromNs = rng.From.UnixNano()
	}
	// Counted from the summaries, so that the footer can say how many events
	// a limit left out without reading them.
	matched, err := source.Count(ctx, rec.Source, f)
	if err != nil {
		return err
	}
	var join *annotate.Joiner
	if c.annotations {
		anns, err := rec.Source.Annotations(0, f.ToNs)
		if err != nil {
			return err
		}
		join = annotate.New(anns).Joiner()
	}
	out := c.newSink(rec, rng)
	var shown int64
	emit := func(ev *event.Event) error {
		shown++
		var labels []map[string]string
		if join != nil {
			labels = join.Labels(ev.Node, ev.PID, ev.TimeNs)
		}
		return out.event(ev, labels)
	}
	if c.limit == 0 {
		err = rec.Source.Events(ctx, f, emit)
	} else {
		err = source.Tail(ctx, rec.Source, f, c.limit, emit)
	}
	if err != nil {
		return err
	}
	return out.done(shown, matched)
}

func (c *config) newSink(rec *recording.Recording, rng timerange.Range) sink {
	if c.json {
		return newJSONSink(c.stdio, c.annotations)
	}
	return newTableSink(c.stdio.Out, rec, inZone(rng, c.loc), c.limit, c.annotations)
}

// sameDay reports whether a and b fall on one calendar day of their zone.
func sameDay(a, b time.Time) bool {
	y1, m1, d1 := a.Date()
	y2, m2, d2 := b.Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// inZone shows the range in loc; an open start stays open.
func inZone(r timerange.Range, loc *time.Location) timerange.Range {
	out := timerange.Range{To: r.To.In(loc)}
	if !r.From.IsZero() {
		out.From = r.From.In(loc)
	}
	return out
}

func timeOf(ns int64, loc *time.Location) time.Time { return time.Unix(0, ns).In(loc) }
