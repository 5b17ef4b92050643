package cudalib

import (
	"fmt"
	"strings"
)

// Range is an executable mapping of a CUDA library in one process. A
// return address inside a Runtime range means the caller is libcudart: the
// tracer uses that to tell a driver call the runtime made from one an
// application or library (cuBLAS) made directly.
type Range struct {
	Lo, Hi uint64 // [Lo, Hi)
	Offset uint64 // file offset of Lo
	Path   string // as in maps
	Kind   Kind
	Dev    uint64
	Inode  uint64
}

// Contains reports whether addr lies in the range.
func (r Range) Contains(addr uint64) bool { return addr >= r.Lo && addr < r.Hi }

// TextRanges lists the executable mappings of CUDA libraries in pid.
func (s *Scanner) TextRanges(pid int) ([]Range, error) {
	maps, err := s.readProcessMaps(newMapsReader(), pid)
	if err != nil {
		return nil, fmt.Errorf("reading maps of %d: %w", pid, err)
	}
	var out []Range
	for _, m := range maps {
		if strings.Contains(m.perms, "x") {
			out = append(out, Range{Lo: m.lo, Hi: m.hi, Offset: m.offset, Path: m.path, Kind: m.kind,
				Dev: m.id.Dev, Inode: m.id.Inode})
		}
	}
	return out, nil
}

// TextRanges reads the real /proc.
func TextRanges(pid int) ([]Range, error) { return (&Scanner{}).TextRanges(pid) }
