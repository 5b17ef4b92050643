package stacks

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// mapping is one executable file mapping of a process.
type mapping struct {
	start, end uint64
	offset     uint64 // file offset of start
	path       string
}

// readMaps reads the file-backed executable mappings of pid.
func readMaps(pid uint32) ([]mapping, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, fmt.Errorf("reading mappings of %d: %w", pid, err)
	}
	return parseMaps(data), nil
}

// parseMaps keeps the lines with x permission and an absolute path.
func parseMaps(data []byte) []mapping {
	var out []mapping
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 6 || len(f[1]) < 3 || f[1][2] != 'x' || f[5][0] != '/' {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		off, err3 := strconv.ParseUint(string(f[2]), 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		// A path with spaces spans the remaining fields.
		path := string(bytes.Join(f[5:], []byte(" ")))
		out = append(out, mapping{start: start, end: end, offset: off, path: path})
	}
	return out
}

func findMapping(ms []mapping, ip uint64) *mapping {
	for i := range ms {
		if ip >= ms[i].start && ip < ms[i].end {
			return &ms[i]
		}
	}
	return nil
}
