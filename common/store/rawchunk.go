package store

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/batch"
	"ingero.dev/common/event"
)

// RawChunk is one stored chunk of events as it lies in the file: its
// encoded data and its chunk_ops summary, undecoded. Copying chunks this
// way (ingero merge) keeps event IDs and costs no re-encoding.
type RawChunk struct {
	Node     string
	Session  string // "" when the chunk belongs to no session
	FirstSeq int64
	N        int
	TMin     int64
	TMax     int64
	Codec    int64
	Data     []byte
	Ops      []ChunkOp
}

// ChunkOp is one chunk_ops row of a RawChunk.
type ChunkOp struct {
	PID                    uint32
	Key                    event.Key
	Count, Errors          int64
	DurSum, DurMin, DurMax int64
	TMin, TMax             int64
}

// Events decodes the chunk's events (for callers that must rewrite them).
func (c *RawChunk) Events(dst []event.Event) ([]event.Event, error) {
	if c.Codec != codecZstdBatch {
		return nil, fmt.Errorf("chunk %s:%d: unknown codec %d (written by a newer ingero?)", c.Node, c.FirstSeq, c.Codec)
	}
	raw, err := batch.Decompress(nil, c.Data)
	if err != nil {
		return nil, fmt.Errorf("chunk %s:%d: %w", c.Node, c.FirstSeq, err)
	}
	evs, err := batch.Decode(raw, dst)
	if err != nil {
		return nil, fmt.Errorf("chunk %s:%d: %w", c.Node, c.FirstSeq, err)
	}
	if len(evs)-len(dst) != c.N {
		return nil, fmt.Errorf("chunk %s:%d holds %d events, index says %d", c.Node, c.FirstSeq, len(evs)-len(dst), c.N)
	}
	return evs, nil
}

// RawChunks calls fn for every stored chunk in write order. The chunk and
// its Data are valid only during the call. Memory stays at one chunk.
func (r *Reader) RawChunks(ctx context.Context, fn func(*RawChunk) error) error {
	return r.withCtx(ctx, func() error {
		nodes, err := loadNodes(r.conn)
		if err != nil {
			return r.fail("reading chunks", err)
		}
		list, _, err := r.conn.Prepare(`SELECT id, node_id, coalesce(session_id, ''), first_seq, n, t_min, t_max, codec, data
			FROM event_chunks ORDER BY id`)
		if err != nil {
			return r.fail("reading chunks", err)
		}
		defer list.Close()
		ops, _, err := r.conn.Prepare(`SELECT pid, source, op, count, errors, dur_sum, dur_min, dur_max, t_min, t_max
			FROM chunk_ops WHERE chunk_id = ?`)
		if err != nil {
			return r.fail("reading chunks", err)
		}
		defer ops.Close()
		var c RawChunk
		for list.Step() {
			c = RawChunk{
				Node: nodes[list.ColumnInt64(1)], Session: list.ColumnText(2), FirstSeq: list.ColumnInt64(3),
				N: list.ColumnInt(4), TMin: list.ColumnInt64(5), TMax: list.ColumnInt64(6), Codec: list.ColumnInt64(7),
				Data: list.ColumnRawBlob(8), Ops: c.Ops[:0],
			}
			if c.Ops, err = readChunkOps(ops, list.ColumnInt64(0), c.Ops); err != nil {
				return r.fail("reading chunk summaries", err)
			}
			if err := fn(&c); err != nil {
				return err
			}
		}
		if err := list.Err(); err != nil {
			return r.fail("reading chunks", err)
		}
		return nil
	})
}

func readChunkOps(s *sqlite3.Stmt, chunkID int64, dst []ChunkOp) ([]ChunkOp, error) {
	defer s.Reset()
	if err := s.BindInt64(1, chunkID); err != nil {
		return nil, err
	}
	for s.Step() {
		dst = append(dst, ChunkOp{
			PID: uint32(s.ColumnInt64(0)), Key: event.Key{Source: event.Source(s.ColumnInt64(1)), Op: event.Op(s.ColumnInt64(2))},
			Count: s.ColumnInt64(3), Errors: s.ColumnInt64(4), DurSum: s.ColumnInt64(5), DurMin: s.ColumnInt64(6),
			DurMax: s.ColumnInt64(7), TMin: s.ColumnInt64(8), TMax: s.ColumnInt64(9),
		})
	}
	return dst, s.Err()
}

// PutRawChunk stores a chunk exactly as given, with its node, session and
// sequence numbers, and moves the node's next sequence number past it. The
// caller guarantees that the chunk's IDs are not taken yet (NodeSeqs says
// which are). It commits at once unless inside Batch.
func (w *Writer) PutRawChunk(c *RawChunk) error {
	if c.N <= 0 {
		return fmt.Errorf("storing chunk %s:%d: no events", c.Node, c.FirstSeq)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	return w.inBatch(func() error {
		ns, err := w.st.nodeState(c.Node)
		if err != nil {
			return err
		}
		var session any
		if c.Session != "" {
			session = c.Session
		}
		if err := execWith(w.st.insertChunkStmt, ns.id, session, c.FirstSeq, c.N, c.TMin, c.TMax, c.Codec, c.Data); err != nil {
			return fmt.Errorf("inserting chunk: %w", err)
		}
		id := w.conn.LastInsertRowID()
		for i := range c.Ops {
			a := &c.Ops[i]
			if err := execWith(w.st.insertOp, id, a.PID, uint8(a.Key.Source), uint8(a.Key.Op),
				a.Count, a.Errors, a.DurSum, a.DurMin, a.DurMax, a.TMin, a.TMax); err != nil {
				return fmt.Errorf("inserting chunk summary: %w", err)
			}
		}
		if end := c.FirstSeq + int64(c.N); end > ns.nextSeq {
			if err := execWith(w.st.setNextSeq, end, ns.id); err != nil {
				return fmt.Errorf("advancing node sequence: %w", err)
			}
		}
		return nil
	})
}

// NodeSeqs returns each stored node's next sequence number: IDs below it
// may be taken.
func (r *Reader) NodeSeqs() (map[string]int64, error) {
	out := map[string]int64{}
	err := r.rows("reading nodes", `SELECT name, next_seq FROM nodes`, nil, func(s *sqlite3.Stmt) error {
		out[s.ColumnText(0)] = s.ColumnInt64(1)
		return nil
	})
	return out, err
}

// Batch runs fn with the Writer's raw-chunk inserts in one transaction,
// which is many times faster than one commit per chunk. fn must call only
// PutRawChunk.
func (w *Writer) Batch(fn func() error) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	if err := w.conn.Exec(`BEGIN IMMEDIATE`); err != nil {
		w.mu.Unlock()
		return fmt.Errorf("writing %s: %w", w.path, err)
	}
	w.inTx = true
	w.mu.Unlock()
	err := fn()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inTx = false
	if err != nil {
		_ = w.conn.Exec(`ROLLBACK`)
		return err
	}
	if err := w.conn.Exec(`COMMIT`); err != nil {
		_ = w.conn.Exec(`ROLLBACK`)
		return fmt.Errorf("writing %s: %w", w.path, err)
	}
	return nil
}

func (w *Writer) inBatch(fn func() error) error {
	if w.inTx {
		return fn()
	}
	if err := inTx(w.conn, fn); err != nil {
		return fmt.Errorf("writing %s: %w", w.path, err)
	}
	return nil
}
