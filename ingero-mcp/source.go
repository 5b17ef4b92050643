package mcp

import (
	"errors"
	"fmt"
	"sync"

	"ingero.dev/common/dbpath"
	"ingero.dev/common/recording"
	"ingero.dev/common/store"
)

// source is the recording the tools answer from. It is opened on the
// first call that needs it, not at start: an MCP client starts the server
// when it starts, often before `ingero trace` has written anything, and
// the tools that need no recording (get_check, run_demo) work meanwhile.
// A stream file is loaded into a temporary database once; a database is
// read where it lies, never changed.
type source struct {
	flag string // -d as given; empty for the default path

	mu  sync.Mutex
	rec *recording.Recording
}

// errNoRecording is wrapped when there is nothing to read yet.
var errNoRecording = errors.New("no recording")

// open returns a Reader of its own for one tool call: a store.Reader is
// not safe for concurrent use, and calls over HTTP run side by side.
// Opening one is cheap (a connection and a schema check).
func (s *source) open() (*store.Reader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec == nil {
		rec, err := recording.Open(s.flag)
		var missing *dbpath.MissingError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("%w: %w", errNoRecording, err)
		}
		if err != nil {
			return nil, err
		}
		s.rec = rec
	}
	return store.OpenReadOnly(s.rec.Reader.Path())
}

// describe names the recording for answers and logs.
func (s *source) describe() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec != nil {
		return fmt.Sprintf("%s (%s)", s.rec.Path, s.rec.Kind)
	}
	loc, err := dbpath.Locate(s.flag)
	if err != nil {
		return "no recording"
	}
	return loc.Path + " (not opened yet)"
}

// warnings are what loading a stream file found damaged.
func (s *source) warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec == nil {
		return nil
	}
	return s.rec.Warnings
}

func (s *source) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec == nil {
		return nil
	}
	err := s.rec.Close()
	s.rec = nil
	return err
}
