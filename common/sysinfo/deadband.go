package sysinfo

import (
	"math"
	"time"

	"ingero.dev/common/event"
)

// Deadband implements trace's --deadband PCT and --heartbeat DUR.
//
// A snapshot passes when any metric moved more than PCT percentage points
// since the last snapshot that passed, where each metric is measured as a
// percentage of its capacity:
//
//	cpu   CPUPct, already 0–100
//	mem   MemPct (used share of MemTotal; MemAvailMB moves with it)
//	swap  SwapUsedMB as a percentage of SwapTotalMB; without swap, any
//	      change of SwapUsedMB counts as movement
//	load  Load1 as a percentage of the CPU count (load 4 on 8 CPUs is 50)
//
// The first snapshot always passes, and so does any snapshot taken a
// heartbeat or more after the last one that passed, or taken earlier than
// it (the wall clock stepped back). PCT ≤ 0 passes every snapshot;
// heartbeat 0 means no forced snapshots.
type Deadband struct {
	pct       float64
	heartbeat time.Duration
	last      event.Snapshot
	started   bool
}

// NewDeadband returns a filter for the given threshold and heartbeat.
func NewDeadband(pct float64, heartbeat time.Duration) *Deadband {
	return &Deadband{pct: pct, heartbeat: heartbeat}
}

// Admit reports whether s should be recorded, and remembers it if so.
func (d *Deadband) Admit(s event.Snapshot, t Totals) bool {
	if !d.started || d.pct <= 0 || d.due(s) || d.moved(s, t) {
		d.last, d.started = s, true
		return true
	}
	return false
}

func (d *Deadband) due(s event.Snapshot) bool {
	elapsed := time.Duration(s.TimeNs - d.last.TimeNs)
	return elapsed < 0 || d.heartbeat > 0 && elapsed >= d.heartbeat
}

func (d *Deadband) moved(s event.Snapshot, t Totals) bool {
	swap := 0.0
	if dSwap := math.Abs(float64(s.SwapUsedMB - d.last.SwapUsedMB)); t.SwapTotalMB > 0 {
		swap = 100 * dSwap / float64(t.SwapTotalMB)
	} else if dSwap > 0 {
		swap = math.Inf(1)
	}
	cpus := float64(max(t.CPUs, 1))
	return math.Abs(s.CPUPct-d.last.CPUPct) > d.pct ||
		math.Abs(s.MemPct-d.last.MemPct) > d.pct ||
		swap > d.pct ||
		100*math.Abs(s.Load1-d.last.Load1)/cpus > d.pct ||
		gpuMoved(s.GPUs, d.last.GPUs, d.pct)
}

// gpuMoved says whether a device's utilization moved by more than pct
// points, or devices came or went.
func gpuMoved(now, last []event.GPUUtil, pct float64) bool {
	if len(now) != len(last) {
		return true
	}
	for i := range now {
		if now[i].GPU != last[i].GPU || math.Abs(now[i].UtilPct-last[i].UtilPct) > pct || math.Abs(now[i].MemPct-last[i].MemPct) > pct {
			return true
		}
	}
	return false
}
