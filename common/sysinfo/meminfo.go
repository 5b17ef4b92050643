package sysinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// memInfo holds the /proc/meminfo values the snapshots need, in kB.
type memInfo struct {
	total, avail, swapTotal, swapFree uint64
}

func parseMeminfo(data []byte) (memInfo, error) {
	kv := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return memInfo{}, fmt.Errorf("parsing /proc/meminfo %s: %w", name, err)
		}
		kv[name] = n
	}
	m := memInfo{total: kv["MemTotal"], swapTotal: kv["SwapTotal"], swapFree: kv["SwapFree"]}
	if m.total == 0 {
		return m, fmt.Errorf("parsing /proc/meminfo: no MemTotal")
	}
	avail, ok := kv["MemAvailable"]
	if !ok { // kernels before 3.14: the classic estimate
		avail = kv["MemFree"] + kv["Buffers"] + kv["Cached"]
	}
	m.avail = min(avail, m.total)
	return m, nil
}

func (m memInfo) usedPct() float64 {
	return 100 * float64(m.total-m.avail) / float64(m.total)
}

func (m memInfo) swapUsedKB() uint64 { return m.swapTotal - min(m.swapFree, m.swapTotal) }

func parseLoad1(data []byte) (float64, error) {
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, fmt.Errorf("parsing /proc/loadavg: empty")
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return 0, fmt.Errorf("parsing /proc/loadavg: %w", err)
	}
	return v, nil
}
