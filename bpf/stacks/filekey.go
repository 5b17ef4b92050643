package stacks

import (
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// fileKey names a file's contents: its GNU build ID when it has one (two
// paths to one build share a cache entry), else its device, inode, size
// and modification time.
func fileKey(path string) string {
	if id := buildID(path); id != "" {
		return "build-id:" + id
	}
	st, err := os.Stat(path)
	if err != nil {
		return "path:" + path
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("file:%d:%d:%d:%d", s.Dev, s.Ino, st.Size(), st.ModTime().UnixNano())
	}
	return "path:" + path
}

func buildID(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	// namesz, descsz, type, "GNU\0", then the ID.
	if err != nil || len(data) < 16 {
		return ""
	}
	return hex.EncodeToString(data[16:])
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
