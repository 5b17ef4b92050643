package store

import (
	"context"

	"ingero.dev/common/event"
)

// Events calls fn for every event that matches f, in time order (newest
// first with f.Desc). Events with equal timestamps come in a fixed order:
// by chunk, then by position in the chunk. It decodes only chunks that
// overlap the time range and, when f names PIDs or ops, hold a matching
// event; memory stays bounded by the chunks that overlap in time.
//
// The *event.Event is valid only during the call; copy it to keep it.
// An error from fn stops the scan and is returned as is.
func (r *Reader) Events(ctx context.Context, f Filter, fn func(*event.Event) error) error {
	return r.Scan(ctx, f, func(_ EventID, ev *event.Event) error { return fn(ev) })
}

// Scan is Events with each event's ID.
func (r *Reader) Scan(ctx context.Context, f Filter, fn func(EventID, *event.Event) error) error {
	return r.scan(ctx, f.scan(), f.Limit, fn)
}

// Event returns one event by its ID.
func (r *Reader) Event(ctx context.Context, id EventID) (event.Event, bool, error) {
	sf := Filter{}.scan()
	sf.id = &id
	var out event.Event
	found := false
	err := r.scan(ctx, sf, 1, func(_ EventID, ev *event.Event) error {
		out, found = *ev, true
		return nil
	})
	return out, found, err
}

func (r *Reader) scan(ctx context.Context, sf scanFilter, limit int, fn func(EventID, *event.Event) error) error {
	return r.withCtx(ctx, func() error {
		sc, err := newScanner(r.conn, sf, &r.stats)
		if err != nil {
			return r.fail("reading events", err)
		}
		defer sc.close()
		for n := 0; limit <= 0 || n < limit; n++ {
			ok, err := sc.step()
			if err != nil {
				return r.fail("reading events", err)
			}
			if !ok {
				return nil
			}
			if err := fn(sc.id(), sc.cur); err != nil {
				return err
			}
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
