package source

import (
	"context"
	"slices"

	"ingero.dev/common/event"
)

// Tail calls fn with the newest n events that match f, oldest first, as
// tail does: what query's listing, an MCP tool and a dashboard panel show
// of a window that holds more than they can print. f.Limit and f.Desc are
// replaced; memory holds n events.
func Tail(ctx context.Context, src Source, f Filter, n int, fn func(*event.Event) error) error {
	f.Limit, f.Desc = n, true
	evs := make([]event.Event, 0, min(n, 4096))
	err := src.Events(ctx, f, func(ev *event.Event) error {
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
