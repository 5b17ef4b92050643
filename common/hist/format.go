package hist

import (
	"math"
	"strconv"
	"strings"
	"time"
)

var units = [...]struct {
	size int64
	name string
}{{1e3, "µs"}, {1e6, "ms"}, {1e9, "s"}}

// FormatNs renders a duration the way ingero's reports print latencies:
// three significant digits at most, one decimal below 100 with a trailing
// ".0" dropped, in the largest unit that keeps the number under 1000:
// 850ns, 4.8µs, 38µs, 16.7ms, 142ms, 2.1s. From 999.5 s on it falls back
// to whole seconds in Go's duration syntax (16m40s).
func FormatNs(ns int64) string {
	if ns < 0 {
		if ns == -ns { // MinInt64 has no positive counterpart
			ns++
		}
		return "-" + FormatNs(-ns)
	}
	if ns < 1000 {
		return strconv.FormatInt(ns, 10) + "ns"
	}
	if ns < 999_500_000_000 {
		for _, u := range units {
			if tenths := (ns*10 + u.size/2) / u.size; tenths < 1000 {
				s := strconv.FormatInt(tenths/10, 10)
				if d := tenths % 10; d != 0 {
					s += "." + strconv.FormatInt(d, 10)
				}
				return s + u.name
			}
			if whole := (ns + u.size/2) / u.size; whole < 1000 {
				return strconv.FormatInt(whole, 10) + u.name
			}
		}
	}
	d := time.Duration(ns)
	if ns > math.MaxInt64-time.Second.Nanoseconds()/2 {
		return d.Truncate(time.Second).String() // rounding up would overflow
	}
	return d.Round(time.Second).String()
}

// FormatCount groups thousands the way the reports print counts: 12,847.
func FormatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	if len(digits) < len(s) {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
