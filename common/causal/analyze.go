package causal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// snapshotLead loads the snapshot just before the window too, so the
// window's first calls are judged by the host state they ran in.
const snapshotLead = int64(2 * time.Second)

// Analyze explains the events of a recording in one streaming pass: per-op
// statistics and the ranked causal chains. Memory stays bounded whatever
// the number of events. It never changes the recording.
func Analyze(ctx context.Context, r *store.Reader, opts Options) (*Report, error) {
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
	next := 0
	err = r.Events(ctx, store.Filter{FromNs: from, ToNs: to}, func(ev *event.Event) error {
		for next < len(snaps) && snaps[next].TimeNs <= ev.TimeNs {
			e.snapshot(snaps[next])
			next++
		}
		if skip > 0 && ev.TimeNs == from && (e.pids == nil || e.pids[ev.PID]) {
			skip--
			return nil
		}
		e.observe(ev)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("analysing: %w", err)
	}
	for _, s := range snaps[next:] {
		e.snapshot(s)
	}
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
func bounds(r *store.Reader, from, to int64) (lo, hi int64, err error) {
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

// loadNames prefers the recorded process names (from /proc, the main
// thread's) to the thread names events carry.
func loadNames(r *store.Reader, e *engine) error {
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
func lastStart(ctx context.Context, r *store.Reader, from, to int64, pids []uint32, n int) (int64, int, error) {
	count, extra := 0, 0
	var at int64
	err := r.Events(ctx, store.Filter{FromNs: from, ToNs: to, PIDs: pids, Desc: true}, func(ev *event.Event) error {
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
