package ring

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/ringbuf"

	"ingero.dev/common/event"
)

// Decoder fills ev, zeroed, from one raw record and reports whether the
// record was one it knows. Records it refuses are counted as user-space
// drops, never silently lost.
type Decoder func(raw []byte, ev *event.Event) bool

// Options tune a Reader; zero values take the defaults.
type Options struct {
	// BatchSize is the number of events per delivered batch (4096).
	BatchSize int
	// Poll bounds how long a record waits unread when no wake-up came,
	// since the probes submit without waking the reader (50 ms).
	Poll time.Duration
	// Tick, when set with OnTick, calls OnTick that often from the reader
	// goroutine, to append events drained from elsewhere (summaries).
	Tick   time.Duration
	OnTick func(now time.Time, batch []event.Event) []event.Event
}

// Stats count what a Reader did.
type Stats struct {
	Records     uint64 // records read from the ring
	Events      uint64 // events delivered, ticks included
	Undecodable uint64 // records read but refused by the decoder (user-space drops)
}

// Reader reads one ring buffer.
type Reader struct {
	rd   *ringbuf.Reader
	dec  Decoder
	opts Options

	records, events, bad atomic.Uint64
}

// NewReader opens a ring buffer map for reading.
func NewReader(m *ebpf.Map, dec Decoder, opts Options) (*Reader, error) {
	rd, err := ringbuf.NewReader(m)
	if err != nil {
		return nil, fmt.Errorf("opening ring buffer reader: %w", err)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 4096
	}
	if opts.Poll <= 0 {
		opts.Poll = 50 * time.Millisecond
	}
	return &Reader{rd: rd, dec: dec, opts: opts}, nil
}

// Run reads until Flush or Close and calls sink with each batch from this
// goroutine. The batch is reused once sink returns: keep what you need by
// copying. A slow sink backs up into the ring, whose losses the kernel
// counts. Memory stays bounded by one batch.
func (r *Reader) Run(sink func([]event.Event)) error {
	var rec ringbuf.Record
	batch := make([]event.Event, 0, r.opts.BatchSize)
	now := time.Now()
	lastFlush, nextTick := now, now.Add(r.opts.Tick)
	deliver := func() {
		if len(batch) > 0 {
			sink(batch)
			r.events.Add(uint64(len(batch)))
			batch = batch[:0]
		}
		lastFlush = time.Now()
	}
	tick := func(now time.Time) {
		if r.opts.OnTick != nil && r.opts.Tick > 0 && !now.Before(nextTick) {
			batch = r.opts.OnTick(now, batch)
			nextTick = now.Add(r.opts.Tick)
		}
	}
	r.rd.SetDeadline(now.Add(r.opts.Poll))
	for n := 0; ; n++ {
		err := r.rd.ReadInto(&rec)
		switch {
		case err == nil:
			r.records.Add(1)
			batch = append(batch, event.Event{})
			if !r.dec(rec.RawSample, &batch[len(batch)-1]) {
				batch = batch[:len(batch)-1]
				r.bad.Add(1)
			}
			if len(batch) >= r.opts.BatchSize {
				deliver()
			}
			// Under a load that never empties the ring the deadline never
			// fires: keep latency and ticks bounded by the clock instead.
			if n%256 == 0 {
				if now := time.Now(); now.Sub(lastFlush) >= r.opts.Poll {
					tick(now)
					deliver()
				}
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			now := time.Now()
			tick(now)
			deliver()
			r.rd.SetDeadline(now.Add(r.opts.Poll))
		case errors.Is(err, ringbuf.ErrFlushed), errors.Is(err, ringbuf.ErrClosed):
			tick(time.Now().Add(r.opts.Tick))
			deliver()
			return nil
		default:
			deliver()
			return fmt.Errorf("reading ring buffer: %w", err)
		}
	}
}

// Flush makes Run deliver every record already in the ring and return.
func (r *Reader) Flush() error {
	return r.rd.Flush()
}

// Close stops Run at once and releases the reader.
func (r *Reader) Close() error {
	return r.rd.Close()
}

// Stats returns the counts so far.
func (r *Reader) Stats() Stats {
	return Stats{Records: r.records.Load(), Events: r.events.Load(), Undecodable: r.bad.Load()}
}
