package dashboard

import (
	"context"
	"errors"
	"fmt"

	"ingero.dev/common/recording"
	"ingero.dev/common/store"
)

// source hands out read-only readers of the recording. A store.Reader is
// not safe for concurrent use, so each request borrows one from a small
// pool; an idle SQLite connection holds no lock, so pooled readers see
// every transaction trace commits, and they never block it.
type source struct {
	rec    *recording.Recording // owns a stream's imported copy
	dbPath string               // the database read: the file, or the stream's import
	pool   chan *store.Reader
}

// poolSize bounds the open connections; requests beyond it open a
// reader of their own and close it afterwards.
const poolSize = 8

func openSource(flagValue string) (*source, error) {
	rec, err := recording.Open(flagValue)
	if err != nil {
		return nil, err
	}
	s := &source{rec: rec, dbPath: rec.Reader.Path(), pool: make(chan *store.Reader, poolSize)}
	s.pool <- rec.Reader
	return s, nil
}

// live reports whether the file may still grow while we serve it: a
// database can be recorded into, a stream file is loaded once.
func (s *source) live() bool { return s.rec.Kind == recording.Database }

// read runs fn with a reader of its own.
func (s *source) read(ctx context.Context, fn func(*store.Reader) error) error {
	var r *store.Reader
	select {
	case r = <-s.pool:
	default:
		var err error
		if r, err = store.OpenReadOnly(s.dbPath); err != nil {
			return err
		}
	}
	// An interrupted statement leaves the connection usable, so every
	// reader goes back to the pool.
	err := fn(r)
	select {
	case s.pool <- r:
	default:
		if r != s.rec.Reader {
			r.Close()
		}
	}
	return err
}

func (s *source) close() error {
	var errs []error
	for {
		select {
		case r := <-s.pool:
			if r != s.rec.Reader {
				errs = append(errs, r.Close())
			}
			continue
		default:
		}
		break
	}
	errs = append(errs, s.rec.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("closing %s: %w", s.rec.Path, err)
	}
	return nil
}
