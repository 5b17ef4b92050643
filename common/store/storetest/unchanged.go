// Package storetest holds test helpers for code that reads recordings:
// the store's own reader and the read-only commands prove with them that
// a recording is left exactly as it was found.
package storetest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// FileState is what reading must not change: a file's bytes, its mtime and,
// when captured with the directory, the names of the files beside it (a
// stray -wal, -shm or journal would show there).
type FileState struct {
	data  []byte
	mtime time.Time
	dir   []string
}

// Capture records path's state now.
func Capture(t testing.TB, path string, withDir bool) FileState {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := FileState{data: data, mtime: fi.ModTime()}
	if withDir {
		ents, err := os.ReadDir(filepath.Dir(path))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			st.dir = append(st.dir, e.Name())
		}
	}
	return st
}

// Same fails t, naming what, for every way after differs from s.
func (s FileState) Same(t testing.TB, after FileState, what string) {
	t.Helper()
	if !bytes.Equal(s.data, after.data) {
		t.Errorf("%s: the file's bytes changed", what)
	}
	if !s.mtime.Equal(after.mtime) {
		t.Errorf("%s: the file's mtime changed: %v → %v", what, s.mtime, after.mtime)
	}
	if !slices.Equal(s.dir, after.dir) {
		t.Errorf("%s: files beside it changed: %v → %v", what, s.dir, after.dir)
	}
}
