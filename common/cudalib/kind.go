package cudalib

import (
	"path/filepath"
	"strings"
)

// Kind says which CUDA layer a library implements.
type Kind uint8

// Kinds of CUDA library.
const (
	Runtime Kind = iota + 1 // libcudart.so*
	Driver                  // libcuda.so*
	NCCL                    // libnccl.so*: collectives, probed by bpf/nccl
)

func (k Kind) String() string {
	switch k {
	case Runtime:
		return "runtime"
	case Driver:
		return "driver"
	case NCCL:
		return "nccl"
	}
	return "unknown"
}

// KindOf classifies a library by its file name. The static runtime
// (libcudart_static.a) is linked into binaries and has no file to probe.
func KindOf(path string) (Kind, bool) {
	base := filepath.Base(path)
	switch {
	case strings.HasPrefix(base, "libcudart.so"):
		return Runtime, true
	case strings.HasPrefix(base, "libcuda.so"):
		return Driver, true
	case strings.HasPrefix(base, "libnccl.so"):
		return NCCL, true
	}
	return 0, false
}

// FileID names a file independently of its path.
type FileID struct {
	Dev   uint64 // as stat's st_dev
	Inode uint64
}

// mkdev encodes major:minor as glibc's makedev does, which is how stat
// reports st_dev, so that /proc/PID/maps device numbers compare with it.
func mkdev(major, minor uint64) uint64 {
	return (minor & 0xff) | (major&0xfff)<<8 | (minor&^0xff)<<12 | (major&^0xfff)<<32
}
