package store

import (
	"context"

	"ingero.dev/common/event"
)

// Chunk is one stored chunk of events, described by the index alone.
// Chunks never change once written (pruning only deletes whole ones), so
// a reader that keeps summaries per chunk ID (a live dashboard) decodes
// each chunk once.
type Chunk struct {
	ID              int64
	Events          int
	FirstNs, LastNs int64 // earliest and latest event time in the chunk
}

// ChunksNewestFirst calls fn for each chunk with events in [fromNs, toNs]
// (0 leaves a side open), the latest-ending first, until fn returns
// false. It reads the covering time index only, no event data.
func (r *Reader) ChunksNewestFirst(ctx context.Context, fromNs, toNs int64, fn func(Chunk) bool) error {
	from, to := bounds(fromNs, toNs)
	err := r.withCtx(ctx, func() error {
		// +t_min keeps SQLite on the t_max index, which reaches the newest
		// chunks without walking the older ones.
		stmt, _, err := r.conn.Prepare(`SELECT id, n, t_min, t_max FROM event_chunks
			WHERE t_max >= ? AND +t_min <= ? ORDER BY t_max DESC, id DESC`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		if err := bindAll(stmt, from, to); err != nil {
			return err
		}
		for stmt.Step() {
			c := Chunk{ID: stmt.ColumnInt64(0), Events: stmt.ColumnInt(1), FirstNs: stmt.ColumnInt64(2), LastNs: stmt.ColumnInt64(3)}
			if !fn(c) {
				return nil
			}
		}
		return stmt.Err()
	})
	if err != nil {
		return r.fail("listing chunks", err)
	}
	return nil
}

// ChunkEvents appends the events of chunk c to dst, in stored order (time
// order within the chunk).
func (r *Reader) ChunkEvents(ctx context.Context, c Chunk, dst []event.Event) ([]event.Event, error) {
	var out []event.Event
	err := r.withCtx(ctx, func() error {
		cr, err := newChunkReader(r.conn, &r.stats)
		if err != nil {
			return err
		}
		defer cr.close()
		out, err = cr.decode(chunkMeta{id: c.ID, n: c.Events}, dst)
		return err
	})
	if err != nil {
		return nil, r.fail("reading a chunk", err)
	}
	return out, nil
}
