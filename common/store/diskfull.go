package store

import (
	"errors"
	"path/filepath"
	"syscall"

	"github.com/ncruces/go-sqlite3"
)

// nearlyFull is the free space under which an I/O error on a file system
// is taken for a full disk.
const nearlyFull = 1 << 20

// DiskFull reports whether err, met writing path, is a write refused
// because the file system is full. SQLite's driver (ncruces/go-sqlite3
// v0.37) reports ENOSPC from a write as a plain "disk I/O error": it
// tests the error for a bare errno, and os.File wraps it. So an I/O error
// on a file system with under 1 MiB left counts as well.
func DiskFull(err error, path string) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, sqlite3.FULL) || errors.Is(err, syscall.ENOSPC) {
		return true
	}
	if !errors.Is(err, sqlite3.IOERR) {
		return false
	}
	var st syscall.Statfs_t
	if syscall.Statfs(filepath.Dir(path), &st) != nil {
		return false
	}
	return int64(st.Bavail)*st.Bsize < nearlyFull
}
