package ring

import (
	"time"

	"golang.org/x/sys/unix"
)

// Clock maps the kernel's timestamps (bpf_ktime_get_ns: CLOCK_MONOTONIC)
// to wall-clock Unix nanoseconds with one offset measured at start, so
// that every event of a session shares one time base. The session stores
// MonoNs so that anyone holding the recording can redo the mapping.
type Clock struct {
	MonoNs int64 // CLOCK_MONOTONIC at the reference instant
	WallNs int64 // CLOCK_REALTIME at the same instant
}

// NewClock measures the offset, keeping the reading with the tightest
// bracket of monotonic reads around the wall-clock read.
func NewClock() Clock {
	best := Clock{}
	bestGap := int64(-1)
	for range 8 {
		m1 := monoNs()
		w := time.Now().UnixNano()
		m2 := monoNs()
		if gap := m2 - m1; bestGap < 0 || gap < bestGap {
			bestGap = gap
			best = Clock{MonoNs: m1 + gap/2, WallNs: w}
		}
	}
	return best
}

// Wall converts a kernel timestamp to Unix nanoseconds.
func (c Clock) Wall(ktime uint64) int64 {
	return int64(ktime) - c.MonoNs + c.WallNs
}

func monoNs() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) // cannot fail for this clock
	return ts.Nano()
}
