package ring

import (
	"sync/atomic"
	"time"

	"ingero.dev/common/event"
)

// drainWait bounds how long Stop waits for Run to deliver what was left in
// the ring before it closes the reader anyway.
const drainWait = 5 * time.Second

// Background runs a Reader on a goroutine of its own: the Start, Err and
// the end of Close that every probe family shares.
type Background struct {
	r       *Reader
	started atomic.Bool
	done    chan struct{} // closed when Run returned
	err     error         // Run's error, set before done closes
}

// NewBackground wraps r; nothing runs until Start.
func NewBackground(r *Reader) *Background { return &Background{r: r, done: make(chan struct{})} }

// Start calls r.Run(sink) on a new goroutine. Call it at most once.
func (b *Background) Start(sink func([]event.Event)) {
	b.started.Store(true)
	go func() {
		b.err = b.r.Run(sink)
		close(b.done)
	}()
}

// Err returns why reading stopped before Stop, if it did: a ring that
// could not be read.
func (b *Background) Err() error {
	select {
	case <-b.done:
		return b.err
	default:
		return nil
	}
}

// Stop delivers every record already in the ring, then closes the reader.
// Call it once the probes are detached, so that nothing more arrives. It
// returns with Run finished, whether or not Start was called.
func (b *Background) Stop() error {
	_ = b.r.Flush()
	started := b.started.Load()
	if started {
		select {
		case <-b.done:
		case <-time.After(drainWait):
		}
	}
	// Closing before the last wait means a reader stuck in a read cannot
	// hang the caller.
	err := b.r.Close()
	if started {
		<-b.done
	}
	return err
}
