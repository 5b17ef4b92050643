package cudalib

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// mapping is one line of /proc/PID/maps that maps a CUDA library.
type mapping struct {
	lo, hi, offset uint64
	perms          string
	id             FileID
	path           string // as the process sees it, without " (deleted)"
	deleted        bool
	kind           Kind // 0 for a file that is no CUDA library
}

const deletedSuffix = " (deleted)"

// mapsReader reads maps files through one buffer, reused across the
// processes of a scan.
type mapsReader struct{ br *bufio.Reader }

func newMapsReader() *mapsReader { return &mapsReader{bufio.NewReaderSize(nil, 64*1024)} }

// read returns the CUDA library mappings in a maps file.
func (mr *mapsReader) read(r io.Reader) ([]mapping, error) {
	var out []mapping
	mr.br.Reset(r)
	for {
		line, err := mr.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Longer than any path the kernel prints: not ours, skip it.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = mr.br.ReadSlice('\n')
			}
			continue
		}
		// Cheap rejection first: most lines of a PyTorch process are not
		// CUDA libraries, and this runs every second.
		if len(line) > 0 && (bytes.Contains(line, []byte("libcuda")) || bytes.Contains(line, []byte("libnccl"))) {
			m, ok, perr := parseMapsLine(string(bytes.TrimSuffix(line, []byte("\n"))))
			if perr != nil {
				return nil, perr
			}
			if ok && m.kind != 0 {
				out = append(out, m)
			}
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// parseMapsLine parses "lo-hi perms offset maj:min inode   path". The path
// runs to the end of the line and may hold spaces. ok is false for a mapping
// of no file.
func parseMapsLine(line string) (mapping, bool, error) {
	var m mapping
	rest := line
	field := func() string {
		rest = strings.TrimLeft(rest, " ")
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			f := rest
			rest = ""
			return f
		}
		f := rest[:i]
		rest = rest[i:]
		return f
	}
	addr, perms, off, dev, ino := field(), field(), field(), field(), field()
	path := strings.TrimLeft(rest, " ")
	if !strings.HasPrefix(path, "/") {
		return m, false, nil // anonymous, [heap], [vdso]…
	}
	if strings.HasSuffix(path, deletedSuffix) {
		m.deleted = true
		path = strings.TrimSuffix(path, deletedSuffix)
	}
	lo, hi, ok1 := strings.Cut(addr, "-")
	major, minor, ok2 := strings.Cut(dev, ":")
	if !ok1 || !ok2 {
		return m, false, fmt.Errorf("parsing maps line %q: bad address or device", line)
	}
	var err error
	nums := []struct {
		s    string
		base int
		dst  *uint64
	}{{lo, 16, &m.lo}, {hi, 16, &m.hi}, {off, 16, &m.offset}, {ino, 10, &m.id.Inode}}
	for _, n := range nums {
		if *n.dst, err = strconv.ParseUint(n.s, n.base, 64); err != nil {
			return m, false, fmt.Errorf("parsing maps line %q: %w", line, err)
		}
	}
	maj, err1 := strconv.ParseUint(major, 16, 64)
	mnr, err2 := strconv.ParseUint(minor, 16, 64)
	if err1 != nil || err2 != nil {
		return m, false, fmt.Errorf("parsing maps line %q: bad device %q", line, dev)
	}
	m.id.Dev = mkdev(maj, mnr)
	m.perms, m.path = perms, path
	m.kind, _ = KindOf(path)
	return m, true, nil
}
