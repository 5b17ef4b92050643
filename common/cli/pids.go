package cli

import (
	"slices"
	"strconv"
	"strings"
)

// ParsePIDs reads a --pid value: one PID or a comma-separated list, as
// trace, explain and query all take it. Repeats collapse; a bad entry is a
// usage error that shows the accepted form.
func ParsePIDs(s string) ([]uint32, error) {
	if s == "" {
		return nil, nil
	}
	var pids []uint32
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		n, err := strconv.ParseUint(part, 10, 32)
		if err != nil || n == 0 {
			return nil, Usagef("--pid %q: %q is not a process id (e.g. --pid 4821 or --pid 4821,5032)", s, part)
		}
		if !slices.Contains(pids, uint32(n)) {
			pids = append(pids, uint32(n))
		}
	}
	return pids, nil
}
