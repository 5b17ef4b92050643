// Package source is the read side of a recording as the analyses see it:
// events in time order with time, PID and op filters, plus the records
// beside them. store.Reader implements it over a database, and
// recording's stream index over a stream file, so an analysis written
// against Source runs on both without copying one into the other.
//
// Entry points: the [Source] interface, [Batches] (ordered batches on a
// second goroutine, for passes that decode and analyse on two cores),
// [Count], and [Tail] (the newest n events, oldest first).
package source

import (
	"context"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// Filter selects events: an inclusive time range (0 leaves a side open),
// PIDs, ops, a limit and the direction.
type Filter = store.Filter

// Span is the time range and number of the recorded events.
type Span = store.Span

// OpStat aggregates one process's events of one op.
type OpStat = store.OpStat

// Source is a recording, read-only.
type Source interface {
	// Events calls fn for each event that matches f, in time order
	// (newest first with f.Desc); events of one instant keep their
	// recorded order. fn's event is only valid during the call. An error
	// from fn stops the scan and is returned.
	Events(ctx context.Context, f Filter, fn func(*event.Event) error) error
	// OpSummary aggregates the matching events per (PID, op), most
	// frequent first; f.Limit and f.Desc are ignored.
	OpSummary(ctx context.Context, f Filter) ([]OpStat, error)
	// TimeSpan is when the first and last events happened, and how many
	// there are.
	TimeSpan() (Span, error)
	// ProcessNames lists process sightings by node, PID and first
	// sighting.
	ProcessNames() ([]event.ProcessName, error)
	// Snapshots lists host snapshots in [fromNs, toNs], in time order.
	Snapshots(fromNs, toNs int64) ([]event.Snapshot, error)
	// Chains lists stored causal chains detected in [fromNs, toNs], most
	// severe first, then by detection time and ID.
	Chains(fromNs, toNs int64) ([]event.Chain, error)
	// Annotations lists annotations whose instant or span touches
	// [fromNs, toNs], in time order.
	Annotations(fromNs, toNs int64) ([]event.Annotation, error)
	// Sessions lists the recorded sessions, oldest first.
	Sessions() ([]event.Session, error)
	// Stacks returns the stacks with these IDs (all when ids is empty).
	Stacks(ids []uint64) (map[uint64]event.Stack, error)
}

// The database reader is a Source.
var _ Source = (*store.Reader)(nil)

// Count counts the events that match f from the summaries, without
// reading the events where the source can avoid it.
func Count(ctx context.Context, src Source, f Filter) (int64, error) {
	stats, err := src.OpSummary(ctx, f)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range stats {
		n += s.Count
	}
	return n, nil
}
