package store

import (
	"fmt"
	"time"

	"ingero.dev/common/event"
)

// Append accepts events for writing. Events are grouped into chunks per
// node (Event.Node) and committed in batches: when a chunk fills and the
// oldest buffered event has waited FlushInterval, or on Flush and Close.
//
// Append either accepts all of evs or none: a non-nil error means none
// were taken (the Writer is closed, or commits keep failing and the
// buffer is full), so the caller can count them as lost. A commit failure
// that does not stop Append is reported by Err, Flush and Close. evs is
// copied; the caller may reuse it.
func (w *Writer) Append(evs []event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	// Only while commits fail does the buffer refuse work; a healthy
	// writer commits as chunks pile up (see add).
	need := len(evs)/w.opts.ChunkEvents + len(w.builders) + 1
	if w.lastErr != nil && len(w.pending)+need > w.opts.MaxPendingChunks {
		if err := w.commitLocked(); err != nil {
			return fmt.Errorf("writing %s: %d chunks wait for a commit that keeps failing; %d events refused: %w",
				w.path, len(w.pending), len(evs), err)
		}
	}
	if w.oldest.IsZero() {
		w.oldest = time.Now()
	}
	for len(evs) > 0 {
		node := evs[0].Node
		run := 1
		for run < len(evs) && evs[run].Node == node {
			run++
		}
		w.add(node, evs[:run])
		evs = evs[run:]
	}
	if w.due() {
		// The events are accepted either way; a failure stays in
		// lastErr and the chunks are retried by the next commit.
		_ = w.flushLocked()
	}
	return nil
}

// add appends one node's run of events, sealing chunks as they fill.
func (w *Writer) add(node string, evs []event.Event) {
	b := w.builders[node]
	if b == nil {
		b = &builder{node: node, events: make([]event.Event, 0, w.opts.ChunkEvents)}
		w.builders[node] = b
	}
	for len(evs) > 0 {
		k := min(len(evs), w.opts.ChunkEvents-len(b.events))
		b.events = append(b.events, evs[:k]...)
		evs = evs[k:]
		if len(b.events) == w.opts.ChunkEvents {
			w.sealBuilder(b)
			if w.lastErr == nil && len(w.pending) >= w.opts.MaxPendingChunks {
				// Bounds memory on a huge Append; a failure is kept in
				// lastErr and makes the next Append refuse.
				_ = w.commitLocked()
			}
		}
	}
}

func (w *Writer) sealBuilder(b *builder) {
	if len(b.events) == 0 {
		return
	}
	w.pending = append(w.pending, w.sealer.seal(b.node, w.sessions[b.node], b.events))
	// Drop string references so a long-lived builder pins no old comms.
	clear(b.events)
	b.events = b.events[:0]
}

// Flush seals every partly filled chunk and commits all buffered events.
// On error the events stay buffered and a later Flush retries them.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	for _, b := range w.builders {
		w.sealBuilder(b)
	}
	return w.commitLocked()
}

// commitLocked writes every pending chunk in one transaction. Nothing is
// dropped on failure: the transaction rolls back and the chunks stay
// pending, to be written with the same content by the next attempt.
func (w *Writer) commitLocked() error {
	if len(w.pending) == 0 {
		if w.bufferedEvents() == 0 {
			w.oldest = time.Time{}
		}
		return nil
	}
	err := inTx(w.conn, w.insertPending)
	if err != nil {
		w.lastErr = fmt.Errorf("writing %d chunks to %s: %w", len(w.pending), w.path, err)
		// Timed retries wait an interval, so a failing disk or a lock
		// held elsewhere does not stall every Append.
		w.retryAt = time.Now().Add(w.opts.FlushInterval)
		return w.lastErr
	}
	w.lastErr = nil
	clear(w.pending)
	w.pending = w.pending[:0]
	w.oldest = time.Time{}
	if n := w.bufferedEvents(); n > 0 {
		// Events still in builders were accepted before this commit.
		w.oldest = time.Now()
	}
	return nil
}

type nodeState struct {
	id      int64
	nextSeq int64
}

func (w *Writer) insertPending() error {
	nodes := make(map[string]*nodeState)
	for _, sc := range w.pending {
		ns := nodes[sc.node]
		if ns == nil {
			var err error
			if ns, err = w.st.nodeState(sc.node); err != nil {
				return err
			}
			nodes[sc.node] = ns
		}
		if err := w.st.insertChunk(ns, sc); err != nil {
			return err
		}
		ns.nextSeq += int64(sc.n)
	}
	for _, ns := range nodes {
		if err := execWith(w.st.setNextSeq, ns.nextSeq, ns.id); err != nil {
			return fmt.Errorf("advancing node sequence: %w", err)
		}
	}
	return nil
}
