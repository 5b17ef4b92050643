package stream

import (
	"errors"
	"io"
	"iter"

	"ingero.dev/common/event"
)

// Frames iterates over the remaining frames, as Next returns them. A
// *CorruptFrameError is yielded with a zero Frame and iteration goes on
// past it; any other error is yielded once and ends it. The end of the
// stream ends it silently; check Trailer afterwards to know whether the
// stream was complete.
func (r *Reader) Frames() iter.Seq2[Frame, error] {
	return func(yield func(Frame, error) bool) {
		for {
			f, err := r.Next()
			if err == io.EOF {
				return
			}
			var corrupt *CorruptFrameError
			if !yield(f, err) || (err != nil && !errors.As(err, &corrupt)) {
				return
			}
		}
	}
}

// Events iterates over the events of the remaining frames one by one,
// with the error handling of Frames. Frames of other kinds are skipped,
// except that a trailer is still noted for Trailer.
func (r *Reader) Events() iter.Seq2[event.Event, error] {
	return func(yield func(event.Event, error) bool) {
		for f, err := range r.Frames() {
			if err != nil {
				if !yield(event.Event{}, err) {
					return
				}
				continue
			}
			for i := range f.Events {
				if !yield(f.Events[i], nil) {
					return
				}
			}
		}
	}
}
