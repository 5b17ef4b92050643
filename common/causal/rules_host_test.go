package causal

import (
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// swapStorm: from a third of the way in, available memory collapses and
// swap grows; half the syncs then stall on page faults.
func swapStorm(g *gen, slowed bool) {
	onset := g.start + (g.end-g.start)/3
	g.host = func(g *gen, t int64) event.Snapshot {
		s := calmHost(g, t)
		if t >= onset {
			frac := float64(t-onset) / float64(g.end-onset+1)
			s.MemPct, s.MemAvailMB = 97+2*frac, 400-int64(300*frac)
			s.SwapUsedMB = 1500 + int64(6000*frac)
		}
		return s
	}
	if !slowed {
		return
	}
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		if g.now >= onset && g.r.IntN(2) == 0 {
			*slow += g.lognormal(3_000_000, 0.5)
		}
	})
}

func TestMemoryPressure(t *testing.T) {
	g := newGen(10, 30*time.Second)
	g.noise()
	swapStorm(g, true)
	c := wantChain(t, analyzeGen(t, g), "memory-pressure", event.SeverityHigh, "swap", "under pressure", "python3")
	if c.Evidence["swap_max_mb"].(int64) < 6000 {
		t.Errorf("evidence %v", c.Evidence)
	}
}

func TestMemoryPressureNegative(t *testing.T) {
	// The host swaps, but the syncs are no slower for it: their tail is
	// spread evenly over the run.
	g := newGen(11, 30*time.Second)
	swapStorm(g, false)
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		if g.r.IntN(10) == 0 {
			*slow += g.lognormal(6_000_000, 0.3)
		}
	})
	wantNoChain(t, analyzeGen(t, g), "memory-pressure")
}

// checkpoints: every 4 s a writer issues a burst of large block writes;
// syncs in the following half second stall behind it.
func checkpoints(g *gen, comm string, pid uint32) {
	const period = 4e9
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		if (g.now-g.start)%period < 5e8 {
			for i := 0; i < 4; i++ {
				g.emit(event.Event{TimeNs: g.now + int64(i)*1000, PID: pid, TID: pid, Comm: comm,
					Source: event.SourceIO, Op: event.BlockWrite, DurNs: g.lognormal(8_000_000, 0.3),
					Args: [4]uint64{8 << 20, uint64(g.r.Int64N(1 << 30)), 259}})
			}
			*slow += g.lognormal(6_000_000, 0.3)
		}
	})
}

func TestBlockIO(t *testing.T) {
	g := newGen(20, 30*time.Second)
	g.noise()
	checkpoints(g, "checkpoint", 7777)
	c := wantChain(t, analyzeGen(t, g), "block-io", event.SeverityHigh, "checkpoint (PID 7777) wrote", "block IO")
	if !strings.Contains(c.Fix, "ionice -c3 -p 7777") {
		t.Errorf("fix: %s", c.Fix)
	}
}

func TestBlockIONegative(t *testing.T) {
	// Data-loader reads at random moments explain nothing, and ingero's
	// own writes, even when they line up with slow calls, are never
	// blamed.
	g := newGen(21, 30*time.Second)
	checkpoints(g, "ingero-trace", 6666)
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if g.r.IntN(3) == 0 {
			g.emit(event.Event{TimeNs: g.now - g.r.Int64N(3_000_000), PID: 5100, TID: 5100, Comm: "pt_data_worker",
				Source: event.SourceIO, Op: event.BlockRead, DurNs: g.lognormal(180_000, 0.7),
				Args: [4]uint64{128 << 10, uint64(g.r.Int64N(1 << 30)), 259}})
		}
	})
	rep := analyzeGen(t, g)
	wantNoChain(t, rep, "block-io")
	for _, c := range rep.Chains {
		if strings.Contains(c.RootCause, "ingero") {
			t.Errorf("ingero blamed: %s", c.RootCause)
		}
	}
}

func TestOOMKill(t *testing.T) {
	g := newGen(30, 10*time.Second)
	evs, snaps := g.run()
	at := g.start + 8e9
	evs = append(evs, event.Event{TimeNs: at, PID: 1234, TID: 1234, Comm: "bash", Node: node, Source: event.SourceHost,
		Op: event.OOMKill, Args: [4]uint64{8 << 18, 9 << 18, 0}, PeerPID: trainPID, PeerComm: trainComm, GPU: -1})
	sortEvents(evs)
	c := wantChain(t, analyze(t, evs, snaps), "oom", event.SeverityHigh, "killed python3 (PID 4821)", "8 GiB")
	if c.PID != trainPID || c.Op != "oom_kill" {
		t.Errorf("chain %s", c.ID)
	}
}

func TestCUDAOOM(t *testing.T) {
	g := newGen(31, 10*time.Second)
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if g.steps%500 == 0 {
			g.call(event.SourceCUDA, event.CudaMalloc, 20_000, [4]uint64{4 << 30, 0})
			g.evs[len(g.evs)-1].Ret = errOutOfMemory
		}
	})
	c := wantChain(t, analyzeGen(t, g), "oom", event.SeverityHigh, "cudaMalloc returned out-of-memory", "4 GiB")
	if c.Op != "cudaMalloc" {
		t.Errorf("op %s", c.Op)
	}
}

func TestOOMNegative(t *testing.T) {
	// Allocation failures other than out-of-memory are not OOMs.
	g := newGen(32, 10*time.Second)
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if g.steps%500 == 0 {
			g.call(event.SourceCUDA, event.CudaMalloc, 20_000, [4]uint64{4 << 30, 0})
			g.evs[len(g.evs)-1].Ret = 1 // cudaErrorInvalidValue
		}
	})
	wantNoChain(t, analyzeGen(t, g), "oom")
}

func TestMemoryPressureSparseSnapshots(t *testing.T) {
	// With --deadband a steady episode is one snapshot: the state holds
	// until the next one.
	g := newGen(12, 30*time.Second)
	swapStorm(g, true)
	evs, snaps := g.run()
	onset := g.start + (g.end-g.start)/3
	var sparse []event.Snapshot
	for i, s := range snaps {
		if i == 0 || s.TimeNs >= onset && len(sparse) == 1 {
			s.SwapUsedMB = 0
			sparse = append(sparse, s)
		}
	}
	c := wantChain(t, analyze(t, evs, sparse), "memory-pressure", event.SeverityHigh, "under pressure for 2")
	if c.Evidence["pressure_snapshots"].(int64) != 1 {
		t.Errorf("evidence %v", c.Evidence)
	}
}
