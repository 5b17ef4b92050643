package sysinfo

import (
	"testing"
	"time"

	"ingero.dev/common/event"
)

func TestDeadband(t *testing.T) {
	totals := Totals{CPUs: 8, MemTotalMB: 10_000, SwapTotalMB: 2_000}
	base := event.Snapshot{CPUPct: 50, MemPct: 40, SwapUsedMB: 100, Load1: 2}
	at := func(sec int, f func(*event.Snapshot)) event.Snapshot {
		s := base
		s.TimeNs = int64(sec) * 1e9
		if f != nil {
			f(&s)
		}
		return s
	}
	type step struct {
		snap event.Snapshot
		want bool
	}
	cases := []struct {
		name      string
		pct       float64
		heartbeat time.Duration
		totals    Totals
		steps     []step
	}{
		{"off passes all", 0, 0, totals, []step{{at(0, nil), true}, {at(1, nil), true}, {at(2, nil), true}}},
		{"first passes, idle suppressed", 5, 0, totals, []step{{at(0, nil), true}, {at(1, nil), false}, {at(100, nil), false}}},
		{"cpu must move more than pct", 5, 0, totals, []step{
			{at(0, nil), true},
			{at(1, func(s *event.Snapshot) { s.CPUPct = 55 }), false}, // exactly 5 points: not more
			{at(2, func(s *event.Snapshot) { s.CPUPct = 55.1 }), true},
			{at(3, func(s *event.Snapshot) { s.CPUPct = 51 }), false}, // 4.1 from the last emitted
		}},
		{"slow drift accumulates against the last emitted", 5, 0, totals, []step{
			{at(0, nil), true},
			{at(1, func(s *event.Snapshot) { s.MemPct = 43 }), false},
			{at(2, func(s *event.Snapshot) { s.MemPct = 46 }), true},
		}},
		{"swap relative to swap total", 5, 0, totals, []step{
			{at(0, nil), true},
			{at(1, func(s *event.Snapshot) { s.SwapUsedMB = 200 }), false}, // 5% of 2000 MB
			{at(2, func(s *event.Snapshot) { s.SwapUsedMB = 201 }), true},
		}},
		{"swap without swap total", 5, 0, Totals{CPUs: 8, MemTotalMB: 10_000}, []step{
			{at(0, nil), true},
			{at(1, nil), false},
			{at(2, func(s *event.Snapshot) { s.SwapUsedMB = 101 }), true},
		}},
		{"GPU utilization moves, devices come and go", 5, 0, totals, []step{
			{at(0, func(s *event.Snapshot) { s.GPUs = []event.GPUUtil{{GPU: 0, UtilPct: 90, MemPct: 40}} }), true},
			{at(1, func(s *event.Snapshot) { s.GPUs = []event.GPUUtil{{GPU: 0, UtilPct: 94, MemPct: 40}} }), false},
			{at(2, func(s *event.Snapshot) { s.GPUs = []event.GPUUtil{{GPU: 0, UtilPct: 20, MemPct: 40}} }), true}, // the GPU went idle
			{at(3, func(s *event.Snapshot) { s.GPUs = []event.GPUUtil{{GPU: 0, UtilPct: 20, MemPct: 40}, {GPU: 1}} }), true},
		}},
		{"load relative to cpu count", 5, 0, totals, []step{
			{at(0, nil), true},
			{at(1, func(s *event.Snapshot) { s.Load1 = 2.4 }), false}, // 0.4/8 = 5%
			{at(2, func(s *event.Snapshot) { s.Load1 = 2.5 }), true},  // 6.25%
		}},
		{"load with unknown cpu count counts as one cpu", 5, 0, Totals{}, []step{
			{at(0, nil), true},
			{at(1, func(s *event.Snapshot) { s.Load1 = 2.06 }), true},
		}},
		{"heartbeat forces", 5, 30 * time.Second, totals, []step{
			{at(0, nil), true},
			{at(29, nil), false},
			{at(30, nil), true},
			{at(59, nil), false},
			{at(61, func(s *event.Snapshot) { s.CPUPct = 90 }), true},
			{at(90, func(s *event.Snapshot) { s.CPUPct = 90 }), false}, // the change at 61 reset the heartbeat
			{at(91, func(s *event.Snapshot) { s.CPUPct = 90 }), true},
		}},
		{"clock stepping back passes", 5, 30 * time.Second, totals, []step{
			{at(100, nil), true},
			{at(50, nil), true},
			{at(51, nil), false},
		}},
	}
	for _, c := range cases {
		d := NewDeadband(c.pct, c.heartbeat)
		for i, s := range c.steps {
			if got := d.Admit(s.snap, c.totals); got != s.want {
				t.Errorf("%s: step %d (t=%ds): Admit = %v, want %v", c.name, i, s.snap.TimeNs/1e9, got, s.want)
			}
		}
	}
}
