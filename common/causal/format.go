package causal

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"ingero.dev/common/hist"
)

// The wording helpers below keep every chain's numbers in one style.

func fmtDur(ns int64) string { return hist.FormatNs(ns) }

// fmtCount groups thousands: 12,847.
func fmtCount(n int64) string { return hist.FormatCount(n) }

// fmtBytes renders a size in binary units with at most one decimal.
func fmtBytes(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if u == 0 || v >= 100 || strings.HasSuffix(s, ".0") {
		s = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	if neg {
		s = "-" + s
	}
	return s + " " + units[u]
}

// fmtRate renders bytes per second in decimal GB/s or MB/s, the way copy
// bandwidth is quoted.
func fmtRate(bytes, ns int64) string {
	if ns <= 0 {
		return "n/a"
	}
	bps := float64(bytes) / (float64(ns) / 1e9)
	if bps >= 1e9 {
		return strconv.FormatFloat(bps/1e9, 'f', 1, 64) + " GB/s"
	}
	return strconv.FormatFloat(bps/1e6, 'f', 1, 64) + " MB/s"
}

// fmtPct renders a fraction as a percentage: 37%, or 0.4% below 1%.
func fmtPct(f float64) string {
	p := f * 100
	if p < 1 && p > 0 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

// fmtX renders a ratio: 3.3x.
func fmtX(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "x" }

// procName names a process the way every chain does: python3 (PID 4821),
// or (PID 4821) when its name is unknown.
func procName(comm string, pid uint32) string {
	if comm == "" {
		return fmt.Sprintf("(PID %d)", pid)
	}
	return fmt.Sprintf("%s (PID %d)", comm, pid)
}

// clock renders an event time as a wall-clock time of day in loc.
func clock(ns int64, loc *time.Location) string {
	return time.Unix(0, ns).In(loc).Format("15:04:05")
}

// ago renders how long before now ns was, for "(3m ago)".
func ago(ns int64, now time.Time) string {
	d := now.Sub(time.Unix(0, ns))
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// ratio is a/b, 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// round2 keeps evidence numbers readable in JSON.
func round2(f float64) float64 { return math.Round(f*100) / 100 }

// round4 keeps shares precise enough to rank by.
func round4(f float64) float64 { return math.Round(f*10000) / 10000 }
