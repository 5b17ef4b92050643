package store

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/batch"
	"ingero.dev/common/event"
)

// chunkReader fetches and decodes chunk blobs, reusing its buffers.
type chunkReader struct {
	blob  *sqlite3.Stmt
	raw   []byte
	stats *scanStats
}

func newChunkReader(c *sqlite3.Conn, stats *scanStats) (*chunkReader, error) {
	blob, _, err := c.Prepare(`SELECT codec, data FROM event_chunks WHERE id = ?`)
	if err != nil {
		return nil, fmt.Errorf("preparing chunk read: %w", err)
	}
	return &chunkReader{blob: blob, stats: stats}, nil
}

func (cr *chunkReader) close() {
	if cr != nil && cr.blob != nil {
		cr.blob.Close()
		cr.blob = nil
	}
}

// decode appends chunk m's events to dst.
func (cr *chunkReader) decode(m chunkMeta, dst []event.Event) ([]event.Event, error) {
	defer cr.blob.Reset()
	if err := cr.blob.BindInt64(1, m.id); err != nil {
		return nil, err
	}
	if !cr.blob.Step() {
		if err := cr.blob.Err(); err != nil {
			return nil, fmt.Errorf("reading chunk %d: %w", m.id, err)
		}
		return nil, fmt.Errorf("reading chunk %d: chunk vanished", m.id)
	}
	if codec := cr.blob.ColumnInt64(0); codec != codecZstdBatch {
		return nil, fmt.Errorf("reading chunk %d: unknown codec %d (written by a newer ingero?)", m.id, codec)
	}
	var err error
	cr.raw, err = batch.Decompress(cr.raw[:0], cr.blob.ColumnRawBlob(1))
	if err != nil {
		return nil, fmt.Errorf("reading chunk %d: %w", m.id, err)
	}
	evs, err := batch.Decode(cr.raw, dst)
	if err != nil {
		return nil, fmt.Errorf("reading chunk %d: %w", m.id, err)
	}
	if len(evs)-len(dst) != m.n {
		return nil, fmt.Errorf("reading chunk %d: holds %d events, index says %d: %w", m.id, len(evs)-len(dst), m.n, batch.ErrCorrupt)
	}
	if cr.stats != nil {
		cr.stats.chunksDecoded++
	}
	return evs, nil
}
