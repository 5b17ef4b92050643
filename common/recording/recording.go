// Package recording opens what a read-only command was given with -d: an
// ingero SQLite database or a stream file, told apart by their first bytes.
//
// Two ways in. OpenSource (and OpenFileSource) give a source.Source for
// both formats and read a stream file in place, with no copy: what
// analyses (explain, mcp's chains and stats, the dashboard) should use.
// Store then gives a store.Reader for SQL, loading a stream into a private
// temporary database on first use. Open (and OpenFile) load that database
// at once and embed its Reader, as before.
package recording

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"ingero.dev/common/dbpath"
	"ingero.dev/common/source"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
)

// Kind says which format a recording was read from.
type Kind uint8

// Formats a recording can come in.
const (
	Database Kind = iota + 1
	Stream
)

func (k Kind) String() string {
	if k == Stream {
		return "stream"
	}
	return "database"
}

// Recording is an opened recording. Close it to release the reader and any
// temporary files.
type Recording struct {
	// Reader is the database's reader. For a stream opened with
	// OpenSource it is nil until Store loads the stream.
	*store.Reader
	// Source reads the recording in either format; always set.
	Source source.Source
	Path   string // the file the user named
	Kind   Kind
	// Warnings are problems met while loading that lost no data the
	// caller could have had: damaged or cut-off stream frames, a missing
	// trailer. Commands print them to stderr.
	Warnings []string
	tmpDir   string
	index    *streamIndex // a stream opened with OpenSource
}

var sqliteMagic = []byte("SQLite format 3\x00")

// ErrUnknownFormat is wrapped when a file is neither format.
var ErrUnknownFormat = errors.New("neither an ingero database nor an ingero stream file")

// Open resolves flagValue with the shared -d rules and opens the file.
func Open(flagValue string) (*Recording, error) {
	loc, err := dbpath.Existing(flagValue)
	if err != nil {
		return nil, err
	}
	return OpenFile(loc.Path)
}

// OpenSource resolves flagValue with the shared -d rules and opens the
// file for reading through Source, a stream file in place.
func OpenSource(flagValue string) (*Recording, error) {
	loc, err := dbpath.Existing(flagValue)
	if err != nil {
		return nil, err
	}
	return OpenFileSource(loc.Path)
}

// OpenFile opens path, which must exist; a stream file is loaded into a
// temporary database at once.
func OpenFile(path string) (*Recording, error) { return openFile(path, false) }

// OpenFileSource opens path, which must exist, reading a stream file in
// place: Reader stays nil until Store.
func OpenFileSource(path string) (*Recording, error) { return openFile(path, true) }

func openFile(path string, inPlace bool) (*Recording, error) {
	head, err := readHead(path, max(len(sqliteMagic), stream.MagicLen))
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, sqliteMagic):
		r, err := store.OpenReadOnly(path)
		if err != nil {
			return nil, err
		}
		return &Recording{Reader: r, Source: r, Path: path, Kind: Database}, nil
	case stream.IsStream(head) && inPlace:
		return openStreamIndex(path)
	case stream.IsStream(head):
		return openStream(path)
	case len(head) == 0:
		return nil, fmt.Errorf("%s is empty: %w", path, ErrUnknownFormat)
	default:
		return nil, fmt.Errorf("%s is %w", path, ErrUnknownFormat)
	}
}

// Close releases the reader and removes what loading a stream left behind.
func (r *Recording) Close() error {
	var err error
	if r.Reader != nil {
		err = r.Reader.Close()
	}
	if r.index != nil {
		if cErr := r.index.Close(); cErr != nil && err == nil {
			err = cErr
		}
	}
	if r.tmpDir != "" {
		if rmErr := os.RemoveAll(r.tmpDir); rmErr != nil && err == nil {
			err = fmt.Errorf("removing temporary copy of %s: %w", r.Path, rmErr)
		}
	}
	return err
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening recording: %w", err)
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return buf[:k], nil
}
