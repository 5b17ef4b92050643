package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ncruces/go-sqlite3"
	"ingero.dev/common/event"
)

// Options tune a Writer. The zero value gives the defaults.
type Options struct {
	// ChunkEvents is the most events one chunk holds (default 4096, at
	// most batch.MaxEvents). Bigger chunks compress better; smaller ones
	// let filtered reads skip more.
	ChunkEvents int
	// FlushInterval bounds how long an accepted event waits before it is
	// committed (default 250ms); a background goroutine enforces it while
	// Append is idle. A negative value turns timed commits off: events are
	// committed when MaxPendingChunks chunks are sealed, and on Flush and
	// Close (bulk imports want that).
	FlushInterval time.Duration
	// MaxPendingChunks is how many sealed chunks may wait for a commit
	// that keeps failing before Append refuses new events (default 1024,
	// about 4M events).
	MaxPendingChunks int
}

const (
	defaultChunkEvents   = 4096
	defaultFlushInterval = 250 * time.Millisecond
	defaultMaxPending    = 1024
	maxChunkEvents       = 1 << 20 // batch.MaxEvents
)

func (o Options) withDefaults() Options {
	if o.ChunkEvents <= 0 {
		o.ChunkEvents = defaultChunkEvents
	}
	o.ChunkEvents = min(o.ChunkEvents, maxChunkEvents)
	if o.FlushInterval == 0 {
		o.FlushInterval = defaultFlushInterval
	}
	if o.MaxPendingChunks <= 0 {
		o.MaxPendingChunks = defaultMaxPending
	}
	return o
}

// Writer records into one database file. Its methods are safe for
// concurrent use; they serialise on one connection.
type Writer struct {
	mu   sync.Mutex
	path string
	conn *sqlite3.Conn
	st   *writerStmts
	opts Options

	sealer   *sealer
	builders map[string]*builder // unsealed events by node
	sessions map[string]string   // node → id of its open session
	pending  []*sealedChunk
	// oldest is when the oldest uncommitted event was accepted; zero when
	// nothing waits.
	oldest  time.Time
	lastErr error     // the latest commit failure, nil after a success
	retryAt time.Time // no timed commit before this, after a failure
	closed  bool
	inTx    bool // inside Batch: PutRawChunk joins its transaction

	stop chan struct{}
	done chan struct{}
}

// builder collects one node's events until a chunk is full.
type builder struct {
	node   string
	events []event.Event
}

// OpenWriter opens path for recording, creating the file and its parent
// directory or migrating an existing ingero database to this build's
// schema. A database with a newer schema is refused untouched.
func OpenWriter(path string, opts Options) (*Writer, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating directory for %s: %w", path, err)
		}
	}
	c, err := openConn(path, false, nil)
	if err != nil {
		return nil, err
	}
	w := &Writer{
		path:     path,
		conn:     c,
		opts:     opts.withDefaults(),
		sealer:   newSealer(),
		builders: make(map[string]*builder),
		sessions: make(map[string]string),
	}
	if err := w.init(); err != nil {
		w.closeConn()
		return nil, err
	}
	if w.opts.FlushInterval > 0 {
		w.stop, w.done = make(chan struct{}), make(chan struct{})
		go w.flushLoop()
	}
	return w, nil
}

func (w *Writer) init() error {
	v, err := checkVersion(w.conn, w.path, true)
	if err != nil {
		return err
	}
	if v == 0 {
		// Only takes effect before the first table exists; later, freed
		// pages could never be returned to the file system.
		if err := w.conn.Exec(`PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
			return fmt.Errorf("setting auto_vacuum on %s: %w", w.path, err)
		}
	}
	if err := w.conn.Exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL`); err != nil {
		return fmt.Errorf("enabling WAL on %s: %w", w.path, classifyOpenError(w.path, err))
	}
	if err := migrate(w.conn, v, migrations); err != nil {
		return fmt.Errorf("database %s: %w", w.path, err)
	}
	if err := inTx(w.conn, func() error { return refreshLookups(w.conn) }); err != nil {
		return fmt.Errorf("database %s: %w", w.path, err)
	}
	st, err := prepareWriterStmts(w.conn)
	if err != nil {
		return fmt.Errorf("database %s: %w", w.path, err)
	}
	w.st = st
	return nil
}

// Path returns the database file name.
func (w *Writer) Path() string { return w.path }

// Err returns the latest commit failure, or nil once a later commit has
// succeeded. Events behind a failure stay buffered and are retried.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

func (w *Writer) flushLoop() {
	defer close(w.done)
	t := time.NewTicker(w.opts.FlushInterval / 4)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.mu.Lock()
			if !w.closed && w.due() {
				// A failure is kept in lastErr and the data stays
				// buffered; the next Flush or Close reports it.
				_ = w.flushLocked()
			}
			w.mu.Unlock()
		}
	}
}

func (w *Writer) due() bool {
	if w.oldest.IsZero() || w.opts.FlushInterval < 0 {
		return false
	}
	now := time.Now()
	return now.Sub(w.oldest) >= w.opts.FlushInterval && !now.Before(w.retryAt)
}

// Close writes everything buffered, checkpoints the WAL and switches the
// file back to journal_mode DELETE, so that a finished recording is one
// self-contained file. If buffered events cannot be written the error says
// how many were lost.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	if w.stop != nil {
		close(w.stop)
		<-w.done
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	if err := w.flushLocked(); err != nil {
		errs = append(errs, fmt.Errorf("closing %s: %d buffered events not written: %w", w.path, w.bufferedEvents(), err))
	}
	if err := w.finishWAL(); err != nil {
		errs = append(errs, fmt.Errorf("closing %s: %w", w.path, err))
	}
	if err := w.closeConn(); err != nil {
		errs = append(errs, fmt.Errorf("closing %s: %w", w.path, err))
	}
	return errors.Join(errs...)
}

// finishWAL folds the WAL into the main file and leaves WAL mode. When a
// reader still has the file open the mode switch fails with SQLITE_BUSY;
// the data is in the main file by then, so that is not an error: the file
// simply stays in WAL mode until the next writer closes it.
func (w *Writer) finishWAL() error {
	if _, _, err := w.conn.WALCheckpoint("main", sqlite3.CHECKPOINT_TRUNCATE); err != nil && !errors.Is(err, sqlite3.BUSY) {
		return fmt.Errorf("checkpointing: %w", err)
	}
	if err := w.conn.BusyTimeout(100 * time.Millisecond); err != nil {
		return err
	}
	if err := w.conn.Exec(`PRAGMA journal_mode = DELETE`); err != nil && !errors.Is(err, sqlite3.BUSY) && !errors.Is(err, sqlite3.LOCKED) {
		return fmt.Errorf("leaving WAL mode: %w", err)
	}
	return nil
}

func (w *Writer) closeConn() error {
	if w.st != nil {
		w.st.close()
		w.st = nil
	}
	return w.conn.Close()
}

func (w *Writer) bufferedEvents() int {
	n := 0
	for _, b := range w.builders {
		n += len(b.events)
	}
	for _, sc := range w.pending {
		n += sc.n
	}
	return n
}
