package source

import (
	"context"

	"ingero.dev/common/event"
)

// BatchSize is how many events travel together in Batches.
const BatchSize = 4096

// Batches reads the events of f in order and calls fn with batches of them
// on a second goroutine, so that decoding and analysis run on two cores at
// once. fn's batches are in order and reused after fn returns; fn has
// returned for the last batch when Batches returns.
func Batches(ctx context.Context, src Source, f Filter, fn func([]event.Event)) error {
	full := make(chan []event.Event, 4)
	empty := make(chan []event.Event, 6)
	for range cap(empty) {
		empty <- make([]event.Event, 0, BatchSize)
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
	err := src.Events(ctx, f, func(ev *event.Event) error {
		buf = append(buf, *ev)
		if len(buf) == BatchSize {
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
