package causal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/source"
)

// snapshotLead loads the snapshot just before the window too, so the
// window's first calls are judged by the host state they ran in.
const snapshotLead = int64(2 * time.Second)

// Analyze explains the events of a recording (a database's store.Reader,
// or a stream file's index from recording.OpenSource) in one streaming
// pass: per-op statistics and the ranked causal chains. Memory stays
// bounded whatever the number of events. It never changes the recording.
func Analyze(ctx context.Context, r source.Source, opts Options) (*Report, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	from, to := opts.FromNs, opts.ToNs
	skip := 0
	if opts.Last > 0 {
		var err error
		if from, skip, err = lastStart(ctx, r, from, to, opts.PIDs, opts.Last); err != nil {
			return nil, err
		}
	}
	lo, hi, err := bounds(r, from, to)
	if err != nil {
		return nil, err
	}
	e := newEngine("", newTimebase(lo-lo%1e9, hi-lo), opts.PIDs)
	if err := loadNames(r, e); err != nil {
		return nil, err
	}
	snapFrom := from
	if from != 0 {
		snapFrom = from - snapshotLead
	}
	snaps, err := r.Snapshots(snapFrom, to)
	if err != nil {
		return nil, fmt.Errorf("analysing: %w", err)
	}
	feed := &feeder{e: e, snaps: snaps, skip: skip, skipAt: from}
	if err := source.Batches(ctx, r, source.Filter{FromNs: from, ToNs: to}, feed.events); err != nil {
		return nil, fmt.Errorf("analysing: %w", err)
	}
	feed.rest()
	e.flush()
	rep := &Report{FromNs: from, ToNs: to, Events: e.events}
	if rep.FromNs == 0 {
		rep.FromNs = e.firstNs
	}
	if rep.ToNs == 0 {
		rep.ToNs = e.lastNs
	}
	e.stats(rep)
	v := &view{e: e, now: now, loc: now.Location()}
	rep.Chains = rank(v.findings())
	return rep, nil
}

// bounds resolves an open window to the recording's extent, to size the
// time buckets.
func bounds(r source.Source, from, to int64) (lo, hi int64, err error) {
	if from != 0 && to != 0 {
		return from, to, nil
	}
	sp, err := r.TimeSpan()
	if err != nil {
		return 0, 0, fmt.Errorf("analysing: %w", err)
	}
	lo, hi = from, to
	if lo == 0 {
		lo = sp.FirstNs
	}
	if hi == 0 {
		hi = sp.LastNs
	}
	return lo, max(hi, lo), nil
}

// loadNames prefers the recorded process names (the main thread's) to the
// thread names events carry. Of several names of one PID the latest first
// sighting wins: a name the process took later (prctl, exec) replaces the
// one a worker thread lent it before its main thread showed.
func loadNames(r source.Source, e *engine) error {
	names, err := r.ProcessNames()
	if err != nil {
		return fmt.Errorf("analysing: %w", err)
	}
	for _, n := range names {
		if n.Comm != "" {
			e.names[procKey{n.Node, n.PID}] = n.Comm
		}
	}
	return nil
}

var errFound = errors.New("found")

// lastStart finds where the last n events of the window (of the selected
// processes) begin: their first timestamp, and how many events of that
// timestamp come before them and must be skipped.
func lastStart(ctx context.Context, r source.Source, from, to int64, pids []uint32, n int) (int64, int, error) {
	count, extra := 0, 0
	var at int64
	err := r.Events(ctx, source.Filter{FromNs: from, ToNs: to, PIDs: pids, Desc: true}, func(ev *event.Event) error {
		if count < n {
			count++
			at = ev.TimeNs
			return nil
		}
		if ev.TimeNs == at {
			extra++
			return nil
		}
		return errFound
	})
	if err != nil && !errors.Is(err, errFound) {
		return 0, 0, fmt.Errorf("finding the last %d events: %w", n, err)
	}
	if count < n {
		return from, 0, nil
	}
	return at, extra, nil
}

// feeder hands events to the engine with the snapshots taken before each
// one, so calls are judged by the host state they ran in.
type feeder struct {
	e      *engine
	snaps  []event.Snapshot
	next   int
	skip   int // events at skipAt to leave out (--last ties)
	skipAt int64
}

func (f *feeder) events(evs []event.Event) {
	for i := range evs {
		ev := &evs[i]
		for f.next < len(f.snaps) && f.snaps[f.next].TimeNs <= ev.TimeNs {
			f.e.snapshot(f.snaps[f.next])
			f.next++
		}
		if f.skip > 0 && ev.TimeNs == f.skipAt && (f.e.pids == nil || f.e.pids[ev.PID]) {
			f.skip--
			continue
		}
		f.e.observe(ev)
	}
}

// rest folds in the snapshots after the last event.
func (f *feeder) rest() {
	for ; f.next < len(f.snaps); f.next++ {
		f.e.snapshot(f.snaps[f.next])
	}
}
