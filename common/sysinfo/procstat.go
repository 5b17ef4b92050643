package sysinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// cpuTimes sums the aggregate "cpu" line of /proc/stat in clock ticks:
// busy is user+nice+system+irq+softirq+steal and idle is idle+iowait.
// Guest time is already inside user and nice, so it is not added again.
// Idle and iowait are summed before any delta is taken because the kernel
// moves ticks between them, so iowait alone can step backwards.
type cpuTimes struct {
	busy, idle uint64
}

// parseStat reads the aggregate CPU times and counts the per-CPU lines.
func parseStat(data []byte) (cpuTimes, int, error) {
	var t cpuTimes
	found, cpus := false, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "cpu") {
			continue
		}
		fields := strings.Fields(line)
		if fields[0] != "cpu" {
			cpus++
			continue
		}
		// Kernels before 2.6.11 lack steal and later columns; missing
		// columns stay zero.
		if len(fields) < 5 {
			return t, 0, fmt.Errorf("parsing /proc/stat: cpu line has %d fields", len(fields))
		}
		var v [8]uint64 // user nice system idle iowait irq softirq steal
		for i := range v {
			if i+1 >= len(fields) {
				break
			}
			n, err := strconv.ParseUint(fields[i+1], 10, 64)
			if err != nil {
				return t, 0, fmt.Errorf("parsing /proc/stat: %w", err)
			}
			v[i] = n
		}
		t = cpuTimes{busy: v[0] + v[1] + v[2] + v[5] + v[6] + v[7], idle: v[3] + v[4]}
		found = true
	}
	if !found {
		return t, 0, fmt.Errorf("parsing /proc/stat: no aggregate cpu line")
	}
	return t, cpus, nil
}

// busyPct is the share of ticks between prev and cur that were not idle.
// Deltas are clamped at zero so that a counter stepping back (a CPU going
// offline takes its ticks with it) never yields a share outside 0–100.
// ok is false when no tick elapsed.
func busyPct(prev, cur cpuTimes) (pct float64, ok bool) {
	busy, idle := delta(prev.busy, cur.busy), delta(prev.idle, cur.idle)
	if busy+idle == 0 {
		return 0, false
	}
	return 100 * float64(busy) / float64(busy+idle), true
}

func delta(a, b uint64) uint64 {
	if b > a {
		return b - a
	}
	return 0
}
