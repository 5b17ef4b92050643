package cuda

import (
	"fmt"

	"ingero.dev/bpf/shared"
	"ingero.dev/common/cudalib"
)

// Describe reads what AddProcess needs about pid from /proc: its CUDA
// libraries, by a path that opens them from here, with their text ranges.
// ReturnProbes is left false for the caller to set (package seccomp).
func Describe(pid int) (Process, error) {
	snap, err := (&cudalib.Scanner{}).ScanPIDs([]int{pid})
	if err != nil {
		return Process{}, fmt.Errorf("describing pid %d: %w", pid, err)
	}
	if len(snap.Processes) == 0 {
		return Process{}, fmt.Errorf("describing pid %d: it maps no CUDA library", pid)
	}
	ranges, err := cudalib.TextRanges(pid)
	if err != nil {
		return Process{}, fmt.Errorf("describing pid %d: %w", pid, err)
	}
	p := Process{PID: uint32(pid)}
	for _, lib := range snap.Processes[0].Libraries {
		if lib.Path == "" {
			continue
		}
		l := Library{Path: lib.Path}
		for _, r := range ranges {
			if r.Dev == lib.Dev && r.Inode == lib.Inode {
				l.Text = append(l.Text, shared.Range{Lo: r.Lo, Hi: r.Hi})
			}
		}
		switch lib.Kind {
		case cudalib.Runtime:
			p.Runtime = append(p.Runtime, l)
		case cudalib.Driver:
			p.Driver = append(p.Driver, l)
		}
	}
	return p, nil
}
