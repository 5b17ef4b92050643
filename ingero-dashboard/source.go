package dashboard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"ingero.dev/common/recording"
	"ingero.dev/common/store"
)

// source hands out read-only readers of the recording. A store.Reader is
// not safe for concurrent use, so each request borrows one from a small
// pool; an idle SQLite connection holds no lock, so pooled readers see
// every transaction trace commits, and they never block it.
//
// A stream file cannot be queried in place, so it is loaded into a
// private database. When trace is still writing the stream, the file is
// loaded again once it has grown (see refresh), and requests move to the
// new copy while the old one finishes what it serves.
type source struct {
	path string // the file the user named
	kind recording.Kind

	mu        sync.Mutex
	cur       *generation
	loading   bool
	checkedAt time.Time
	loadTook  time.Duration
	closed    bool
}

// generation is one loaded copy of the recording and its readers.
type generation struct {
	rec  *recording.Recording
	pool chan *store.Reader
	// chunks caches per-chunk summaries; chunk IDs mean something only
	// within one copy, so each copy has its own.
	chunks   *chunkCache
	size     int64
	mtime    time.Time
	users    int  // requests holding one of its readers; under source.mu
	retired  bool // a newer copy serves new requests
	warnings []string
}

// poolSize bounds the open connections; requests beyond it open a
// reader of their own and close it afterwards.
const poolSize = 8

// reloadEvery is the least time between two checks of a stream file.
var reloadEvery = 5 * time.Second

func openSource(flagValue string) (*source, error) {
	rec, err := recording.Open(flagValue)
	if err != nil {
		return nil, err
	}
	g, err := newGeneration(rec)
	if err != nil {
		rec.Close()
		return nil, err
	}
	return &source{path: rec.Path, kind: rec.Kind, cur: g, checkedAt: time.Now()}, nil
}

func newGeneration(rec *recording.Recording) (*generation, error) {
	fi, err := os.Stat(rec.Path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", rec.Path, err)
	}
	g := &generation{rec: rec, pool: make(chan *store.Reader, poolSize), chunks: newChunkCache(),
		size: fi.Size(), mtime: fi.ModTime(), warnings: rec.Warnings}
	g.pool <- rec.Reader
	return g, nil
}

// live reports whether the recording may still grow while we serve it:
// a database trace records into, or a stream file written in the last
// liveSlack.
func (s *source) live() bool {
	if s.kind == recording.Database {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Since(s.cur.mtime) <= liveSlack
}

type generationKey struct{}

// chunksOf is the chunk cache of the copy a request reads.
func chunksOf(ctx context.Context) *chunkCache {
	return ctx.Value(generationKey{}).(*generation).chunks
}

// read runs fn with a reader of its own; ctx then names the copy it
// reads, for chunksOf.
func (s *source) read(ctx context.Context, fn func(context.Context, *store.Reader) error) error {
	s.refresh()
	s.mu.Lock()
	g := s.cur
	g.users++
	s.mu.Unlock()
	defer s.release(g)
	var r *store.Reader
	select {
	case r = <-g.pool:
	default:
		var err error
		if r, err = store.OpenReadOnly(g.rec.Reader.Path()); err != nil {
			return err
		}
	}
	// An interrupted statement leaves the connection usable, so every
	// reader goes back to the pool.
	err := fn(context.WithValue(ctx, generationKey{}, g), r)
	select {
	case g.pool <- r:
	default:
		if r != g.rec.Reader {
			r.Close()
		}
	}
	return err
}

// release closes a retired copy once its last request is done.
func (s *source) release(g *generation) {
	s.mu.Lock()
	g.users--
	done := g.retired && g.users == 0
	s.mu.Unlock()
	if done {
		g.close()
	}
}

// refresh loads a stream file again, in the background, when it has
// grown since the last load. Checks are at least reloadEvery apart, and
// four times as far apart as a load takes, so that a large stream does
// not keep a core busy.
func (s *source) refresh() {
	if s.kind != recording.Stream {
		return
	}
	s.mu.Lock()
	wait := max(reloadEvery, 4*s.loadTook)
	if s.loading || time.Since(s.checkedAt) < wait {
		s.mu.Unlock()
		return
	}
	s.checkedAt = time.Now()
	g := s.cur
	fi, err := os.Stat(s.path)
	if err != nil || (fi.Size() == g.size && fi.ModTime().Equal(g.mtime)) {
		s.mu.Unlock()
		return
	}
	s.loading = true
	s.mu.Unlock()
	go s.reload()
}

func (s *source) reload() {
	start := time.Now()
	var g *generation
	rec, err := recording.OpenFile(s.path)
	if err == nil {
		if g, err = newGeneration(rec); err != nil {
			rec.Close()
		}
	}
	s.mu.Lock()
	s.loading = false
	s.loadTook = time.Since(start)
	if err != nil {
		// The copy being served stays; the next check tries again.
		s.mu.Unlock()
		return
	}
	if s.closed { // the server stopped while this copy loaded
		s.mu.Unlock()
		g.close()
		return
	}
	old := s.cur
	s.cur = g
	old.retired = true
	idle := old.users == 0
	s.mu.Unlock()
	if idle {
		old.close()
	}
}

func (g *generation) close() error {
	var errs []error
	for {
		select {
		case r := <-g.pool:
			if r != g.rec.Reader {
				errs = append(errs, r.Close())
			}
			continue
		default:
		}
		break
	}
	errs = append(errs, g.rec.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("closing %s: %w", g.rec.Path, err)
	}
	return nil
}

// close releases the copy being served; call it when no request runs.
func (s *source) close() error {
	s.mu.Lock()
	s.closed = true
	g := s.cur
	s.mu.Unlock()
	return g.close()
}

// warnings are the problems met loading the copy being served.
func (s *source) warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.warnings
}
