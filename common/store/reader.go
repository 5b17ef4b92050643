package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/batch"
)

// Reader reads a database without ever changing it: the connection is
// opened read-only and query_only, so even a hostile Query cannot write.
// A Reader may be used while a Writer records into the same file.
//
// A Reader is not safe for concurrent use; open one per goroutine (opening
// is cheap). Callbacks may call other methods of the same Reader.
type Reader struct {
	path    string
	conn    *sqlite3.Conn
	version int
	stats   scanStats
	denied  sqlite3.AuthorizerActionCode // what authorize last refused
}

// OpenReadOnly opens an existing database for reading. A missing file
// gives an error wrapping ErrNoDatabase; a file that is not an ingero
// database, or is corrupt, one wrapping ErrNotIngero; a newer schema one
// wrapping ErrNewerSchema.
func OpenReadOnly(path string) (*Reader, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("opening %s: %w", path, ErrNoDatabase)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("opening %s: is a directory, not a database file", path)
	}
	r := &Reader{path: path}
	if r.conn, err = openConn(path, true, &r.stats); err != nil {
		return nil, err
	}
	if err := r.init(fi.Size()); err != nil {
		r.conn.Close()
		return nil, err
	}
	return r, nil
}

func (r *Reader) init(size int64) error {
	if err := r.conn.Exec(`PRAGMA query_only = 1`); err != nil {
		return fmt.Errorf("opening %s read-only: %w", r.path, err)
	}
	// Other files, settings and open transactions stay out of a query's
	// reach (guard.go).
	err := r.conn.SetAuthorizer(r.authorize)
	if err != nil {
		return fmt.Errorf("opening %s: %w", r.path, err)
	}
	v, err := checkVersion(r.conn, r.path, false)
	if err != nil {
		return err
	}
	r.version = v
	return r.checkTruncated(size)
}

// checkTruncated compares the file with the size its header claims, so a
// cut-short copy fails with a clear message instead of errors deep inside
// a query. With a WAL beside it the header may lag, so it is not checked.
func (r *Reader) checkTruncated(size int64) error {
	if _, err := os.Stat(r.path + "-wal"); err == nil {
		return nil
	}
	pages, err := queryInt(r.conn, `PRAGMA page_count`)
	if err != nil {
		return classifyOpenError(r.path, err)
	}
	pageSize, err := queryInt(r.conn, `PRAGMA page_size`)
	if err != nil {
		return classifyOpenError(r.path, err)
	}
	if want := pages * pageSize; size < want {
		return fmt.Errorf("database %s is truncated: %d bytes, its header says %d: %w", r.path, size, want, ErrNotIngero)
	}
	return nil
}

// Path returns the database file name.
func (r *Reader) Path() string { return r.path }

// SchemaVersion returns the file's schema version.
func (r *Reader) SchemaVersion() int { return r.version }

// ChunksDecoded counts the event chunks this Reader has decompressed, both
// through Events and through the events virtual table: filters that skip
// chunks keep it low.
func (r *Reader) ChunksDecoded() int64 { return r.stats.chunksDecoded }

// Close releases the connection.
func (r *Reader) Close() error {
	if r.conn == nil {
		return nil
	}
	err := r.conn.Close()
	r.conn = nil
	if err != nil {
		return fmt.Errorf("closing %s: %w", r.path, err)
	}
	return nil
}

// withCtx makes ctx interrupt any statement the connection runs in fn.
func (r *Reader) withCtx(ctx context.Context, fn func() error) error {
	if r.conn == nil {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	old := r.conn.SetInterrupt(ctx)
	defer r.conn.SetInterrupt(old)
	err := fn()
	if err != nil && ctx.Err() != nil && errors.Is(err, sqlite3.INTERRUPT) {
		return ctx.Err()
	}
	return err
}

// Span is the time range and size of the recorded events.
type Span struct {
	FirstNs, LastNs int64 // 0 when there are no events
	Events          int64
}

// TimeSpan returns when the first and last events happened and how many
// events there are, from the chunk index alone.
func (r *Reader) TimeSpan() (Span, error) {
	if r.conn == nil {
		return Span{}, ErrClosed
	}
	stmt, _, err := r.conn.Prepare(`SELECT coalesce(min(t_min), 0), coalesce(max(t_max), 0), coalesce(sum(n), 0) FROM event_chunks`)
	if err != nil {
		return Span{}, r.fail("reading time span", err)
	}
	defer stmt.Close()
	var sp Span
	if stmt.Step() {
		sp = Span{FirstNs: stmt.ColumnInt64(0), LastNs: stmt.ColumnInt64(1), Events: stmt.ColumnInt64(2)}
	}
	if err := stmt.Err(); err != nil {
		return Span{}, r.fail("reading time span", err)
	}
	return sp, nil
}

// fail wraps a read error with what was being done and the file, marking
// corruption with ErrNotIngero.
func (r *Reader) fail(what string, err error) error {
	if errors.Is(err, sqlite3.NOTADB) || errors.Is(err, sqlite3.CORRUPT) || errors.Is(err, batch.ErrCorrupt) {
		return fmt.Errorf("%s in %s: database is corrupt: %w (%w)", what, r.path, ErrNotIngero, err)
	}
	return fmt.Errorf("%s in %s: %w", what, r.path, err)
}
