package causal

import (
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// coTenant plants a second process making GPU calls on device gpu; its
// kernels queue in front of training's, so about every other training
// sync waits extraNs longer (only when they share the device).
func coTenant(g *gen, comm string, pid uint32, gpu int32, extraNs float64) {
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		for k := 0; k < 6; k++ {
			g.emit(event.Event{TimeNs: g.now - 900_000 + int64(k)*2000, PID: pid, TID: pid, Comm: comm,
				Source: event.SourceDriver, Op: event.CuLaunchKernel, GPU: gpu,
				Args: [4]uint64{0x7f99aa000000 + uint64(k%3)*0x400, 0x5600dead0000, 64, 128}})
		}
		g.emit(event.Event{TimeNs: g.now - 880_000, PID: pid, TID: pid, Comm: comm, Source: event.SourceCUDA,
			Op: event.CudaStreamSynchronize, DurNs: g.lognormal(extraNs/4, 0.3), GPU: gpu, Args: [4]uint64{0x5600dead0000}})
		if gpu == 0 && g.r.IntN(2) == 0 {
			*slow += g.lognormal(extraNs, 0.3)
		}
	})
}

func TestMultiProcessContention(t *testing.T) {
	g := newGen(40, 20*time.Second)
	coTenant(g, "batch-infer", 6120, 0, 12_000_000)
	rep := analyzeGen(t, g)
	if !rep.Contention {
		t.Error("two GPU processes, no contention flag")
	}
	c := wantChain(t, rep, "multi-process-contention", event.SeverityHigh, "batch-infer (PID 6120", "GPU 0")
	if c.PID != trainPID {
		t.Errorf("victim %d", c.PID)
	}
	for _, c := range rep.Chains {
		if c.PID == 6120 {
			t.Errorf("the co-tenant itself was reported: [%v] %s", c.Severity, c.Summary)
		}
	}
}

func TestMultiProcessContentionNegative(t *testing.T) {
	// The second process runs on another GPU: no contention, even though
	// training's syncs have a tail (planted independently here).
	g := newGen(41, 20*time.Second)
	coTenant(g, "batch-infer", 6120, 1, 12_000_000)
	g.hooks = append(g.hooks, func(g *gen, slow *int64) {
		if g.r.IntN(10) == 0 {
			*slow += g.lognormal(12_000_000, 0.3)
		}
	})
	for i := range g.evs {
		if g.evs[i].PID == trainPID && g.evs[i].Source <= event.SourceDriver {
			g.evs[i].GPU = 0
		}
	}
	wantNoChain(t, analyzeGen(t, g), "multi-process-contention")
}

func TestThroughputDrop(t *testing.T) {
	g := newGen(50, 40*time.Second)
	from, to := g.start+12e9, g.start+27e9
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if g.now >= from && g.now < to {
			g.now += g.lognormal(12_000_000, 0.2) // a slower input pipeline
		}
	})
	c := wantChain(t, analyzeGen(t, g), "throughput-drop", event.SeverityHigh, "python3 (PID 4821) called", "/s from 15:40:1")
	if d := c.Evidence["drop"].(float64); d < 0.7 {
		t.Errorf("drop %v", d)
	}
	if dur := c.Evidence["duration_ns"].(int64); dur < 13e9 || dur > 16e9 {
		t.Errorf("drop lasted %v", time.Duration(dur))
	}
}

func TestThroughputDropNegative(t *testing.T) {
	g := newGen(51, 40*time.Second)
	g.noise()
	wantNoChain(t, analyzeGen(t, g), "throughput-drop")
}

// dataLoader: after each sync the main thread waits for the next batch,
// blocked, before it launches again.
func dataLoader(g *gen, waitNs float64) {
	g.after = append(g.after, func(g *gen) {
		w := g.lognormal(waitNs, 0.3)
		g.emit(event.Event{TimeNs: g.now + 5000, Source: event.SourceHost, Op: event.SchedSwitch,
			DurNs: w - 10_000, Args: [4]uint64{2, 0, 2}})
		g.now += w
	})
}

func TestGPUStarvation(t *testing.T) {
	g := newGen(60, 20*time.Second)
	dataLoader(g, 6_000_000)
	c := wantChain(t, analyzeGen(t, g), "gpu-starvation", event.SeverityHigh, "python3 (PID 4821) left the GPU idle", "blocked")
	if s := c.Evidence["idle_share"].(float64); s < 0.5 || s > 0.8 {
		t.Errorf("idle share %v", s)
	}
}

// TestGPUStarvationByPreemption: the GPU sits idle after each sync
// because another process holds the CPU, not because of the process's own
// host work. That is contention, named with its culprit; "feed the GPU
// faster" would send the user after the wrong fix.
func TestGPUStarvationByPreemption(t *testing.T) {
	g := newGen(62, 20*time.Second)
	g.after = append(g.after, func(g *gen) {
		w := g.lognormal(6_000_000, 0.3)
		g.emit(event.Event{TimeNs: g.now + 5000, Source: event.SourceHost, Op: event.SchedSwitch,
			DurNs: w - 10_000, Args: [4]uint64{2, 1, 2}, PeerPID: 999, PeerComm: "sh"})
		g.now += w
	})
	chains := analyzeGen(t, g)
	wantNoChain(t, chains, "gpu-starvation")
	wantChain(t, chains, "cpu-preemption", event.SeverityMedium, "sh (PID 999) preempted python3")
}

func TestGPUStarvationNegative(t *testing.T) {
	g := newGen(61, 20*time.Second)
	g.noise()
	wantNoChain(t, analyzeGen(t, g), "gpu-starvation")
}

func TestMemcpyBound(t *testing.T) {
	g := newGen(70, 20*time.Second)
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		g.call(event.SourceCUDA, event.CudaMemcpy, g.lognormal(21_000_000, 0.1), [4]uint64{256 << 20, 1})
	})
	c := wantChain(t, analyzeGen(t, g), "memcpy-bound", event.SeverityHigh, "H2D", "host-to-device", "GB/s")
	if c.Op != "cudaMemcpy" || c.Evidence["direction"] != "H2D" {
		t.Errorf("op %s, evidence %v", c.Op, c.Evidence)
	}
	if !strings.Contains(c.Fix, "pin_memory") {
		t.Errorf("fix %s", c.Fix)
	}
}

func TestMemcpyBoundNegative(t *testing.T) {
	g := newGen(71, 20*time.Second)
	wantNoChain(t, analyzeGen(t, g), "memcpy-bound")
}

func TestAllocChurn(t *testing.T) {
	g := newGen(80, 20*time.Second)
	g.hooks = append(g.hooks, churnHook())
	c := wantChain(t, analyzeGen(t, g), "alloc-churn", event.SeverityHigh, "cudaMalloc", "empty_cache")
	if c.Op != "cudaMalloc" {
		t.Errorf("op %s", c.Op)
	}
	wantNoChain(t, analyzeGen(t, g), "memory-leak")
}

// churnHook allocates 6 blocks a step and frees them again, as
// torch.cuda.empty_cache() in the loop makes PyTorch do.
func churnHook() func(g *gen, _ *int64) {
	next := uint64(0x7f4000000000)
	return func(g *gen, _ *int64) {
		var ptrs []uint64
		for i := 0; i < 6; i++ {
			next += 0x10000000
			ptrs = append(ptrs, next)
			g.call(event.SourceCUDA, event.CudaMalloc, g.lognormal(900_000, 0.6), [4]uint64{uint64(64<<20) << (i % 3), next})
		}
		for _, p := range ptrs {
			g.call(event.SourceCUDA, event.CudaFree, g.lognormal(250_000, 0.4), [4]uint64{p, 0})
		}
	}
}

// TestAllocChurnOfAShortRun: the same churn over half a second is real but
// not yet shown to last: MEDIUM, not HIGH.
func TestAllocChurnOfAShortRun(t *testing.T) {
	g := newGen(82, 500*time.Millisecond)
	g.hooks = append(g.hooks, churnHook())
	wantChain(t, analyzeGen(t, g), "alloc-churn", event.SeverityMedium, "cudaMalloc")
}

func TestAllocChurnNegative(t *testing.T) {
	// A warm-up allocates for the first second, then the caching
	// allocator serves everything.
	g := newGen(81, 20*time.Second)
	next := uint64(0x7f4000000000)
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if g.now < g.start+1e9 && g.steps%4 == 0 {
			next += 0x10000000
			g.call(event.SourceCUDA, event.CudaMalloc, g.lognormal(900_000, 0.6), [4]uint64{64 << 20, next})
		}
	})
	wantNoChain(t, analyzeGen(t, g), "alloc-churn")
}

// leaky allocates n buffers a step and frees all but `keep` of them.
func leaky(g *gen, size uint64, n, keep int) {
	next := uint64(0x7f4000000000)
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		var ptrs []uint64
		for i := 0; i < n; i++ {
			next += 0x100000
			ptrs = append(ptrs, next)
			g.call(event.SourceCUDA, event.CudaMalloc, g.lognormal(30_000, 0.3), [4]uint64{size, next})
		}
		for _, p := range ptrs[keep:] {
			g.call(event.SourceCUDA, event.CudaFree, g.lognormal(10_000, 0.3), [4]uint64{p, 0})
		}
	})
}

func TestMemoryLeak(t *testing.T) {
	g := newGen(90, 30*time.Second)
	leaky(g, 1<<20, 2, 1)
	c := wantChain(t, analyzeGen(t, g), "memory-leak", event.SeverityHigh, "python3 (PID 4821) allocated", "more device memory than it freed")
	if r2 := c.Evidence["r2"].(float64); r2 < 0.95 {
		t.Errorf("R² %v", r2)
	}
	if c.Op != "cudaMalloc" {
		t.Errorf("op %s", c.Op)
	}
}

func TestMemoryLeakNegative(t *testing.T) {
	// Balanced allocations, after a warm-up that fills the cache once.
	g := newGen(91, 30*time.Second)
	leaky(g, 1<<20, 2, 0)
	warm := uint64(0x7e0000000000)
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if g.now < g.start+2e9 {
			warm += 0x1000000
			g.call(event.SourceCUDA, event.CudaMalloc, 30_000, [4]uint64{8 << 20, warm})
		}
	})
	wantNoChain(t, analyzeGen(t, g), "memory-leak")
}
