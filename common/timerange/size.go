package timerange

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// SizeExamples is appended to every size error so the user sees what
// valid input looks like.
const SizeExamples = "e.g. 4096, 32m, 500m, 10g, 0"

var sizeShifts = map[string]uint{"": 0, "k": 10, "m": 20, "g": 30, "t": 40}

// ParseSize parses a byte count with an optional k, m, g or t suffix in
// powers of 1024, in either case; a trailing "b" or "ib" is allowed, so
// 10g, 10G, 10gb and 10GiB are the same. Sizes are whole numbers.
func ParseSize(s string) (int64, error) {
	n, err := sizeReason(s)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: %w", s, err)
	}
	return n, nil
}

func sizeReason(s string) (int64, error) {
	n, err := parseSize(strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return 0, fmt.Errorf("%w (%s)", err, SizeExamples)
	}
	return n, nil
}

func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	if s[0] == '-' {
		return 0, errors.New("negative sizes are not allowed")
	}
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("expected a number at %q", s)
	}
	suffix := s[i:]
	switch {
	case suffix == "b":
		suffix = ""
	case len(suffix) == 2 && suffix[1] == 'b', len(suffix) == 3 && suffix[1:] == "ib":
		suffix = suffix[:1]
	}
	shift, ok := sizeShifts[suffix]
	if !ok {
		if suffix != "" && suffix[0] == '.' {
			return 0, errors.New("sizes are whole numbers; write 1536m rather than 1.5g")
		}
		return 0, fmt.Errorf("unknown suffix %q", s[i:])
	}
	var n int64
	for _, c := range []byte(s[:i]) {
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			return 0, errOverflow
		}
		n = n*10 + int64(c-'0')
	}
	if n > math.MaxInt64>>shift {
		return 0, errOverflow
	}
	return n << shift, nil
}

// FormatSize writes n in the syntax ParseSize reads, with the largest
// suffix that keeps it exact: 10g, 500m, 4k, 1000.
func FormatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"t", 40}, {"g", 30}, {"m", 20}, {"k", 10}} {
		if n != 0 && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d%s", n>>u.shift, u.suffix)
		}
	}
	return fmt.Sprint(n)
}
