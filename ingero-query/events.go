package query

import (
	"context"
	"slices"
	"time"

	"ingero.dev/common/annotate"
	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/recording"
	"ingero.dev/common/store"
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
	f := store.Filter{ToNs: rng.To.UnixNano(), PIDs: pids, Ops: ops}
	if !rng.From.IsZero() {
		f.FromNs = rng.From.UnixNano()
	}
	matched, err := countMatches(ctx, rec.Reader, f)
	if err != nil {
		return err
	}
	var join *annotate.Joiner
	if c.annotations {
		anns, err := rec.Annotations(0, f.ToNs)
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
			labels = join.Labels(ev.PID, ev.TimeNs)
		}
		return out.event(ev, labels)
	}
	if c.limit == 0 {
		err = rec.Events(ctx, f, emit)
	} else {
		err = newestInOrder(ctx, rec.Reader, f, c.limit, emit)
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

// countMatches counts from the chunk summaries, so that the footer can say
// how many events a limit left out without reading them.
func countMatches(ctx context.Context, r *store.Reader, f store.Filter) (int64, error) {
	stats, err := r.OpSummary(ctx, f)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range stats {
		n += s.Count
	}
	return n, nil
}

// newestInOrder reads the newest limit events backwards, then hands them
// on oldest first.
func newestInOrder(ctx context.Context, r *store.Reader, f store.Filter, limit int, fn func(*event.Event) error) error {
	f.Limit, f.Desc = limit, true
	evs := make([]event.Event, 0, min(limit, 4096))
	err := r.Events(ctx, f, func(ev *event.Event) error {
		evs = append(evs, *ev)
		return nil
	})
	if err != nil {
		return err
	}
	slices.Reverse(evs)
	for i := range evs {
		if err := fn(&evs[i]); err != nil {
			return err
		}
	}
	return nil
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
