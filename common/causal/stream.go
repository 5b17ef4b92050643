package causal

import (
	"context"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// streamBatch events travel together from the decoding goroutine to the
// analysing one.
const streamBatch = 4096

// stream reads the events of f in time order and calls fn with batches of
// them on a second goroutine, so that decoding and analysis run on two
// cores at once. fn's batches are in order; fn has returned for the last
// batch when stream returns.
func stream(ctx context.Context, r *store.Reader, f store.Filter, fn func([]event.Event)) error {
	full := make(chan []event.Event, 4)
	empty := make(chan []event.Event, 6)
	for range cap(empty) {
		empty <- make([]event.Event, 0, streamBatch)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range full {
			fn(b)
			empty <- b[:0]
		}
	}()
	buf := <-empty
	err := r.Events(ctx, f, func(ev *event.Event) error {
		buf = append(buf, *ev)
		if len(buf) == streamBatch {
			full <- buf
			buf = <-empty
		}
		return nil
	})
	if len(buf) > 0 && err == nil {
		full <- buf
	}
	close(full)
	<-done
	return err
}
