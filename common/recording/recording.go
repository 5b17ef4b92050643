// Package recording opens what a read-only command was given with -d: an
// ingero SQLite database or a stream file, told apart by their first bytes.
// Either way the caller gets a read-only store.Reader, so every command
// works the same on both.
package recording

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"ingero.dev/common/dbpath"
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
	*store.Reader
	Path string // the file the user named
	Kind Kind
	// Warnings are problems met while loading that lost no data the
	// caller could have had: damaged or cut-off stream frames, a missing
	// trailer. Commands print them to stderr.
	Warnings []string
	tmpDir   string
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

// OpenFile opens path, which must exist.
func OpenFile(path string) (*Recording, error) {
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
		return &Recording{Reader: r, Path: path, Kind: Database}, nil
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
	err := r.Reader.Close()
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
