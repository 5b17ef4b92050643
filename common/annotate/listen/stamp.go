//go:build linux

package listen

import "ingero.dev/common/annotate/emit"

// stamp is the time of a line that arrived at arrival (Unix ns) and
// carries sent (0: none), the previous stamp of its connection being
// prev. A sent time is kept when it lies in [max(prev, arrival -
// emit.MaxBackdate), arrival]; otherwise it is moved to the nearest end of
// that window and clamped reports true. Stamps of one connection never
// go back, so a span's end is never before its begin.
func stamp(sent, arrival, prev int64) (t int64, clamped bool) {
	lo := max(prev, arrival-int64(emit.MaxBackdate))
	hi := max(arrival, prev) // prev > arrival only if the clock was set back
	switch {
	case sent == 0:
		return hi, false
	case sent < lo:
		return lo, true
	case sent > hi:
		return hi, true
	}
	return sent, false
}
