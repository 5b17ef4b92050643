package causal

import (
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// cgroupThrash: after each step the loop stalls in cgroup reclaim and in
// major faults on its memory-mapped dataset, as under a memory.max below
// its working set, while the host itself has memory to spare (calm
// snapshots). Each second the memory probes' summaries and usage come.
func cgroupThrash(g *gen, reclaimNs, faultNs int64) {
	g.after = append(g.after, func(g *gen) {
		g.emit(event.Event{TimeNs: g.now, Source: event.SourceHost, Op: event.Reclaim, DurNs: reclaimNs, Args: [4]uint64{reclaimCgroup, 32, 0}})
		g.now += reclaimNs
	})
	g.second = func(g *gen, t int64) {
		steps := int64(time.Second) / 4_000_000
		g.emit(event.Event{TimeNs: t, Source: event.SourceHost, Op: event.FaultFile, DurNs: faultNs, Args: [4]uint64{uint64(steps), 200_000}})
		g.emit(event.Event{TimeNs: t, Source: event.SourceHost, Op: event.FaultMinor, DurNs: 0, Args: [4]uint64{5000}})
		g.emit(event.Event{TimeNs: t, Source: event.SourceHost, Op: event.MemUsage, Args: [4]uint64{15 << 20, 0, 2 << 20}})
		g.now += faultNs
	}
}

func TestMemoryPressureFromStalls(t *testing.T) {
	g := newGen(12, 20*time.Second)
	cgroupThrash(g, 400_000, 150_000_000)
	c := wantChain(t, analyzeGen(t, g), "memory-pressure", event.SeverityHigh, "python3", "cgroup was at its memory limit", "major page faults", "peaked at 15 MiB")
	if c.Evidence["file_faults"].(int64) == 0 || c.Evidence["reclaims"].(int64) == 0 || c.Evidence["cgroup_reclaims"] != c.Evidence["reclaims"] {
		t.Errorf("evidence %v", c.Evidence)
	}
	if !strings.Contains(c.Fix, "memory.max") || !strings.Contains(c.Fix, "num_workers") || !strings.Contains(c.Fix, "pin_memory") || !strings.Contains(c.Fix, "vm.swappiness") {
		t.Errorf("fix %q", c.Fix)
	}
}

// Minor faults and a little reclaim are any loop's lot: no chain.
func TestMemoryPressureNotFromMinorStalls(t *testing.T) {
	g := newGen(13, 20*time.Second)
	cgroupThrash(g, 2_000, 1_000_000)
	wantNoChain(t, analyzeGen(t, g), "memory-pressure")
}
