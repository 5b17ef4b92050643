package store

import (
	"errors"
	"fmt"
	"os"

	"github.com/ncruces/go-sqlite3"
)

// PruneToSize deletes the oldest event chunks, their summaries and the
// snapshots older than the oldest event kept, until the database file and
// its WAL together take at most maxBytes. The file really shrinks: freed
// pages are returned with incremental vacuum and the WAL is truncated.
// It returns how many events it removed. Buffered events are committed
// first and count towards the size.
//
// Sessions, stacks, process names, chains and annotations are kept. If
// they alone exceed maxBytes, every chunk is removed and an error says so.
// A reader holding an old snapshot can block the WAL truncation; then the
// error says so and a later call finishes the job.
func (w *Writer) PruneToSize(maxBytes int64) (removed int64, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, ErrClosed
	}
	if err := w.flushLocked(); err != nil {
		return 0, fmt.Errorf("pruning: %w", err)
	}
	for {
		size, err := w.diskSize()
		if err != nil || size <= maxBytes {
			return removed, err
		}
		// The WAL repeats pages of the main file; fold it in first, or
		// its size would count twice and cost events for nothing.
		if err := w.truncateWAL(); err != nil {
			return removed, fmt.Errorf("pruning %s: %w", w.path, err)
		}
		if size, err = w.diskSize(); err != nil || size <= maxBytes {
			return removed, err
		}
		// The file holds more than chunk data (summaries, indexes, other
		// tables), so the share of the file to free becomes the same share
		// of the chunk data, plus a little so that page overhead rarely
		// needs a second round.
		data, err := queryInt(w.conn, `SELECT coalesce(sum(length(data)), 0) FROM event_chunks`)
		if err != nil {
			return removed, fmt.Errorf("pruning %s: %w", w.path, err)
		}
		target := int64(float64(data)*float64(size-maxBytes)/float64(size)*1.02) + 1
		n, more, err := w.deleteOldest(target)
		removed += n
		if err != nil {
			return removed, fmt.Errorf("pruning %s: %w", w.path, err)
		}
		if err := w.conn.Exec(`PRAGMA incremental_vacuum`); err != nil {
			return removed, fmt.Errorf("pruning %s: vacuuming: %w", w.path, err)
		}
		if !more {
			if err := w.truncateWAL(); err != nil {
				return removed, fmt.Errorf("pruning %s: %w", w.path, err)
			}
			size, err := w.diskSize()
			if err == nil && size > maxBytes {
				err = fmt.Errorf("pruning %s: no events left, and the rest still takes %d bytes, over the limit of %d", w.path, size, maxBytes)
			}
			return removed, err
		}
	}
}

func (w *Writer) diskSize() (int64, error) {
	var total int64
	for _, p := range []string{w.path, w.path + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("measuring %s: %w", p, err)
		}
		total += fi.Size()
	}
	return total, nil
}

// deleteOldest removes the chunks that end earliest until their data adds
// up to target bytes (at least one chunk). more is false when no chunk is
// left afterwards.
func (w *Writer) deleteOldest(target int64) (removed int64, more bool, err error) {
	err = inTx(w.conn, func() error {
		ids, n, lastEnd, err := w.oldestChunks(target)
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, sql := range []string{`DELETE FROM chunk_ops WHERE chunk_id = ?`, `DELETE FROM event_chunks WHERE id = ?`} {
			stmt, _, err := w.conn.Prepare(sql)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if err := execWith(stmt, id); err != nil {
					stmt.Close()
					return err
				}
			}
			stmt.Close()
		}
		// Snapshots before the oldest remaining event describe nothing
		// that is still recorded; with no events left, those up to the
		// last removed one go.
		if err := w.execSQL(`DELETE FROM gpu_samples WHERE ts < (SELECT coalesce(min(t_min), ?) FROM event_chunks)`, lastEnd+1); err != nil {
			return fmt.Errorf("pruning GPU samples: %w", err)
		}
		if err := w.execSQL(`DELETE FROM snapshots WHERE ts < (SELECT coalesce(min(t_min), ?) FROM event_chunks)`, lastEnd+1); err != nil {
			return err
		}
		left, err := queryInt(w.conn, `SELECT count(*) FROM event_chunks`)
		removed, more = n, left > 0
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return removed, more, nil
}

func (w *Writer) oldestChunks(target int64) (ids []int64, events, lastEnd int64, err error) {
	stmt, _, err := w.conn.Prepare(`SELECT id, n, t_max, length(data) FROM event_chunks ORDER BY t_max, id`)
	if err != nil {
		return nil, 0, 0, err
	}
	defer stmt.Close()
	var bytes int64
	for bytes < target && stmt.Step() {
		ids = append(ids, stmt.ColumnInt64(0))
		events += stmt.ColumnInt64(1)
		lastEnd = max(lastEnd, stmt.ColumnInt64(2))
		bytes += stmt.ColumnInt64(3)
	}
	return ids, events, lastEnd, stmt.Err()
}

func (w *Writer) truncateWAL() error {
	if _, _, err := w.conn.WALCheckpoint("main", sqlite3.CHECKPOINT_TRUNCATE); err != nil {
		return fmt.Errorf("truncating the WAL (a reader may hold an old snapshot; retry later): %w", err)
	}
	return nil
}
