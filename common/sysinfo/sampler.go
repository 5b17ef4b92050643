package sysinfo

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"ingero.dev/common/event"
)

// Totals are the sizes that Deadband measures changes against.
type Totals struct {
	CPUs        int
	MemTotalMB  int64
	SwapTotalMB int64
}

// Sampler turns /proc into snapshots. CPU busy time is a rate, so each
// Sample reports the share since the previous one (the first, since
// NewSampler). Not safe for concurrent use.
type Sampler struct {
	root   string
	node   string
	prev   cpuTimes
	cpuPct float64
	totals Totals
}

// NewSampler reads /proc/stat under root ("" or "/" for the real host) as
// the baseline of the first sample. node tags the snapshots.
func NewSampler(root, node string) (*Sampler, error) {
	s := &Sampler{root: root, node: node}
	data, err := s.read("proc/stat")
	if err != nil {
		return nil, err
	}
	if s.prev, s.totals.CPUs, err = parseStat(data); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Sampler) read(rel string) ([]byte, error) {
	root := s.root
	if root == "" {
		root = "/"
	}
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, fmt.Errorf("reading system state: %w", err)
	}
	return data, nil
}

// Sample reads /proc/stat, /proc/meminfo and /proc/loadavg. When no clock
// tick elapsed since the previous sample, CPUPct repeats the previous value.
func (s *Sampler) Sample(now time.Time) (event.Snapshot, error) {
	stat, err := s.read("proc/stat")
	if err != nil {
		return event.Snapshot{}, err
	}
	cur, cpus, err := parseStat(stat)
	if err != nil {
		return event.Snapshot{}, err
	}
	if pct, ok := busyPct(s.prev, cur); ok {
		s.cpuPct = pct
	}
	s.prev = cur
	memData, err := s.read("proc/meminfo")
	if err != nil {
		return event.Snapshot{}, err
	}
	mem, err := parseMeminfo(memData)
	if err != nil {
		return event.Snapshot{}, err
	}
	loadData, err := s.read("proc/loadavg")
	if err != nil {
		return event.Snapshot{}, err
	}
	load, err := parseLoad1(loadData)
	if err != nil {
		return event.Snapshot{}, err
	}
	s.totals = Totals{CPUs: cpus, MemTotalMB: int64(mem.total / 1024), SwapTotalMB: int64(mem.swapTotal / 1024)}
	return event.Snapshot{
		TimeNs:     now.UnixNano(),
		Node:       s.node,
		CPUPct:     s.cpuPct,
		MemPct:     mem.usedPct(),
		MemAvailMB: int64(mem.avail / 1024),
		SwapUsedMB: int64(mem.swapUsedKB() / 1024),
		Load1:      load,
	}, nil
}

// Totals returns the CPU count and memory sizes seen by the last Sample
// (only the CPU count before the first).
func (s *Sampler) Totals() Totals { return s.totals }
