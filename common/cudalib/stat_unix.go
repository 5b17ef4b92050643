//go:build unix

package cudalib

import (
	"io/fs"
	"syscall"
)

func fileID(fi fs.FileInfo) (FileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return FileID{}, false
	}
	return FileID{Dev: uint64(st.Dev), Inode: uint64(st.Ino)}, true
}
