package causal

import (
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// hostWork: after each sync the training thread works on the CPU for about
// workNs before its next call (building the batch in Python); with state
// set it sleeps instead (S: waiting on DataLoader workers).
func hostWork(g *gen, workNs float64, asleep bool) {
	g.after = append(g.after, func(g *gen) {
		w := g.lognormal(workNs, 0.2)
		if asleep {
			g.emit(event.Event{TimeNs: g.now + 5000, Source: event.SourceHost, Op: event.SchedSwitch,
				DurNs: w - 10_000, Args: [4]uint64{2, 0, 2, taskInterruptible}})
		}
		g.now += w
	})
}

// busyStates adds what a healthy loop's thread does between steps: a
// little Python, short sleeps and the odd page fault (D).
func busyStates(g *gen) {
	g.after = append(g.after, func(g *gen) {
		g.now += g.lognormal(150_000, 0.3)
		if g.r.IntN(3) == 0 {
			d := g.lognormal(40_000, 0.5)
			g.emit(event.Event{TimeNs: g.now, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: d, Args: [4]uint64{1, 0, 1, taskInterruptible}})
			g.now += d + 1000
		}
		if g.r.IntN(10) == 0 {
			d := g.lognormal(20_000, 0.5)
			g.emit(event.Event{TimeNs: g.now, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: d, Args: [4]uint64{1, 0, 1, taskUninterruptible}})
			g.now += d + 1000
		}
	})
}

func TestHostBoundOnCPU(t *testing.T) {
	g := newGen(300, 20*time.Second)
	g.noise()
	hostWork(g, 12_000_000, false)
	rep := analyzeGen(t, g)
	c := wantChain(t, rep, "host-bound", event.SeverityHigh, "python3 (PID 4821) left the GPU idle", "on the CPU between CUDA calls")
	if s := c.Evidence["gpu_idle_share"].(float64); s < 0.6 || s > 0.9 {
		t.Errorf("idle share %v", s)
	}
	if rep.Chains[0].Rule != "host-bound" {
		t.Errorf("first chain %s: %s", rep.Chains[0].Rule, describe(rep))
	}
	wantNoChain(t, rep, "gpu-starvation") // the same idle time, named once
	if !strings.Contains(c.Fix, "num_workers") || !strings.Contains(c.Fix, "CUDA graphs") {
		t.Errorf("fix: %s", c.Fix)
	}
}

func TestHostBoundQuotesNVML(t *testing.T) {
	// With NVML samples recorded, the chain says what the driver saw.
	g := newGen(305, 20*time.Second)
	g.noise()
	hostWork(g, 12_000_000, false)
	g.host = func(g *gen, t int64) event.Snapshot {
		s := calmHost(g, t)
		s.GPUs = []event.GPUUtil{{GPU: 0, UtilPct: 18, MemPct: 9}, {GPU: 1, UtilPct: 97, MemPct: 60}}
		return s
	}
	c := wantChain(t, analyzeGen(t, g), "host-bound", event.SeverityHigh, "NVML agrees: GPU 0 was busy 18% of the time")
	if b := c.Evidence["nvml_gpu_busy"].(float64); b != 0.18 {
		t.Errorf("nvml_gpu_busy %v", b)
	}
}

// TestHostBoundFindsTheDeviceFromNVML is what a real recording holds: the
// CUDA probes do not know a call's device (GPU -1), so the device comes
// from NVML's per-process accounting, or from the host's only device.
func TestHostBoundFindsTheDeviceFromNVML(t *testing.T) {
	for _, c := range []struct {
		name string
		gpus []event.GPUUtil
		want string
	}{
		{"per-process accounting", []event.GPUUtil{{GPU: 0, UtilPct: 97}, {GPU: 1, UtilPct: 40, Procs: []event.GPUProcUtil{{PID: trainPID, SMPct: 40}}}},
			"NVML agrees: GPU 1 was busy 40% of the time"},
		{"the only device", []event.GPUUtil{{GPU: 0, UtilPct: 12}}, "NVML agrees: GPU 0 was busy 12% of the time"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := newGen(306, 20*time.Second)
			g.noise()
			hostWork(g, 12_000_000, false)
			g.host = func(g *gen, t int64) event.Snapshot {
				s := calmHost(g, t)
				s.GPUs = c.gpus
				return s
			}
			evs, snaps := g.run()
			for i := range evs {
				if evs[i].Source == event.SourceCUDA || evs[i].Source == event.SourceDriver {
					evs[i].GPU = -1
				}
			}
			wantChain(t, analyze(t, evs, snaps), "host-bound", event.SeverityHigh, c.want)
		})
	}
}

func TestHostBoundAsleep(t *testing.T) {
	g := newGen(301, 20*time.Second)
	hostWork(g, 6_000_000, true)
	c := wantChain(t, analyzeGen(t, g), "host-bound", event.SeverityHigh, "asleep", "DataLoader workers")
	if !strings.Contains(c.Summary, "waits, asleep") {
		t.Errorf("summary: %s", c.Summary)
	}
}

func TestHostBoundNegative(t *testing.T) {
	// A busy, healthy loop: a little host work, sleeps and page faults.
	g := newGen(302, 20*time.Second)
	g.noise()
	busyStates(g)
	rep := analyzeGen(t, g)
	wantNoChain(t, rep, "host-bound")
	wantNoChain(t, rep, "block-io")
	// Long gaps with no scheduler data cannot tell host work from
	// waiting: gpu-starvation reads them, host-bound stays silent.
	g = newGen(303, 20*time.Second)
	hostWork(g, 12_000_000, false)
	rep = analyzeGen(t, g)
	wantNoChain(t, rep, "host-bound")
	wantChain(t, rep, "gpu-starvation", event.SeverityMedium, "left the GPU idle")
}

// fsyncCheckpoint: every `every` steps the training thread itself writes
// a checkpoint: block writes and a flush it submits, while it sits in D.
func fsyncCheckpoint(g *gen, every int, waitNs float64) {
	g.after = append(g.after, func(g *gen) {
		if g.steps%every != 0 {
			return
		}
		w := g.lognormal(waitNs, 0.2)
		dev := uint64(259<<20 | 1)
		g.emit(event.Event{TimeNs: g.now, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: w, Args: [4]uint64{1, 0, 1, taskUninterruptible}})
		for i := range 16 {
			g.emit(event.Event{TimeNs: g.now + int64(i)*1000, Source: event.SourceIO, Op: event.BlockWrite, GPU: -1,
				DurNs: int64(float64(w) * 0.6), Args: [4]uint64{8 << 20, uint64(i) * 16384, dev}})
		}
		g.emit(event.Event{TimeNs: g.now + int64(float64(w)*0.7), Source: event.SourceIO, Op: event.BlockFlush, GPU: -1,
			DurNs: int64(float64(w) * 0.25), Args: [4]uint64{dev}})
		g.now += w + 2000
	})
}

func TestBlockIOInLoop(t *testing.T) {
	g := newGen(310, 30*time.Second)
	g.noise()
	fsyncCheckpoint(g, 200, 150_000_000)
	rep := analyzeGen(t, g)
	c := wantChain(t, rep, "block-io", event.SeverityHigh, "blocked uninterruptibly (D state) between its CUDA calls", "flushes (fsync)", "on device 259:1")
	if c.Evidence["between_calls"] != true || c.Evidence["flushes"].(int64) < 5 || c.Evidence["write_bytes"].(int64) < 5*128<<20 {
		t.Errorf("evidence %v", c.Evidence)
	}
	if rep.Chains[0].Rule != "block-io" {
		t.Errorf("first chain %s: %s", rep.Chains[0].Rule, describe(rep))
	}
	if !strings.Contains(c.Fix, "async_save") {
		t.Errorf("fix: %s", c.Fix)
	}
	wantNoChain(t, rep, "gpu-starvation")
}

func TestBlockIOInLoopNegative(t *testing.T) {
	// Another process's checkpoints do not block the loop: the call-level
	// reading names them, the loop reading stays silent; and a thread
	// that blocks in D only briefly (page faults) is not IO bound.
	g := newGen(311, 30*time.Second)
	g.noise()
	busyStates(g)
	checkpoints(g, "checkpoint", 7777)
	rep := analyzeGen(t, g)
	if c := chainOf(rep, "block-io"); c == nil || c.Evidence["between_calls"] == true {
		t.Errorf("want the call-level block-io chain naming checkpoint: %s", describe(rep))
	}
}

// sharer: a second process launches on gpu every step, from `from` (a
// fraction of the run) on; it slows nothing on its own.
func sharer(g *gen, gpu int32, from float64) {
	g.hooks = append(g.hooks, func(g *gen, _ *int64) {
		if float64(g.now-g.start) < from*float64(g.end-g.start) {
			return
		}
		for k := 0; k < 8; k++ {
			g.emit(event.Event{TimeNs: g.now + int64(k)*3000, PID: 5150, TID: 5150, Comm: "trainer-b",
				Source: event.SourceCUDA, Op: event.CudaLaunchKernel, GPU: gpu, Args: [4]uint64{0x7f00, 0x99}})
		}
		g.emit(event.Event{TimeNs: g.now + 30_000, PID: 5150, TID: 5150, Comm: "trainer-b", Source: event.SourceCUDA,
			Op: event.CudaStreamSynchronize, DurNs: g.lognormal(1_500_000, 0.3), GPU: gpu, Args: [4]uint64{0x99}})
	})
}

func TestGPUShared(t *testing.T) {
	g := newGen(320, 20*time.Second)
	g.noise()
	sharer(g, 0, 0)
	rep := analyzeGen(t, g)
	c := wantChain(t, rep, "gpu-shared", event.SeverityHigh, "trainer-b (PID 5150) made", "of the GPU's", "GPU 0")
	if c.PID != trainPID {
		t.Errorf("chain on PID %d, want the busiest sharer %d", c.PID, trainPID)
	}
	if s := c.Evidence["own_share"].(float64); s < 0.6 || s > 0.75 {
		t.Errorf("own share %v (18 of 27 calls a step)", s)
	}
	for _, ch := range rep.Chains {
		if ch.Rule == "gpu-shared" && ch.PID != trainPID {
			t.Errorf("a second gpu-shared chain for one GPU: %s", ch.Summary)
		}
	}
}

func TestGPUSharedNegative(t *testing.T) {
	for name, g := range map[string]*gen{
		"other GPU":      func() *gen { g := newGen(321, 20*time.Second); sharer(g, 1, 0); return g }(),
		"last half only": func() *gen { g := newGen(322, 20*time.Second); sharer(g, 0, 0.5); return g }(),
	} {
		t.Run(name, func(t *testing.T) { wantNoChain(t, analyzeGen(t, g), "gpu-shared") })
	}
}

func TestGPUSharedStandsDownForContention(t *testing.T) {
	// Two jobs on one GPU all along, the second's kernels delaying the
	// first's syncs: multi-process-contention says how, with numbers;
	// gpu-shared would say the same cause again.
	g := newGen(323, 20*time.Second)
	coTenant(g, "batch-infer", 6120, 0, 12_000_000)
	rep := analyzeGen(t, g)
	wantChain(t, rep, "multi-process-contention", event.SeverityHigh, "batch-infer (PID 6120")
	wantNoChain(t, rep, "gpu-shared")
}

func TestHostBoundOnABusyMachine(t *testing.T) {
	// The loop works 3 ms on the CPU after each step, and other tasks keep
	// it off its CPU for 12 ms more: host work is half the time it could
	// run, whatever the machine's load did to the rest.
	g := newGen(304, 20*time.Second)
	g.after = append(g.after, func(g *gen) {
		g.now += g.lognormal(3_000_000, 0.2)
		d := g.lognormal(12_000_000, 0.2)
		g.emit(event.Event{TimeNs: g.now, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: d,
			Args: [4]uint64{1, 1, 1, 0}, PeerPID: 31337, PeerComm: "cc1plus"})
		g.now += d + 1000
	})
	c := wantChain(t, analyzeGen(t, g), "host-bound", event.SeverityHigh, "of the time it was not waiting for a CPU")
	if s := c.Evidence["gpu_idle_share"].(float64); s > 0.3 {
		t.Errorf("idle share of its life %v, want about a fifth", s)
	}
}

// TestCheckpointOutranksItsOwnHostWork is the H200 checkpoint loop: every
// few steps the thread serialises the state on the CPU (on-CPU between
// calls, the GPU idle) and then blocks on its writes. Both readings see
// the same thread; the writes are the cause, and host-bound says why its
// on-CPU time is partly the checkpoint.
func TestCheckpointOutranksItsOwnHostWork(t *testing.T) {
	g := newGen(312, 30*time.Second)
	g.noise()
	g.after = append(g.after, func(g *gen) {
		if g.steps%50 == 0 {
			g.now += int64(g.lognormal(250_000_000, 0.2)) // torch.save: pickling and write() into the page cache
		}
	})
	fsyncCheckpoint(g, 50, 80_000_000)
	rep := analyzeGen(t, g)
	if len(rep.Chains) == 0 || rep.Chains[0].Rule != "block-io" {
		t.Fatalf("want block-io in the loop first: %s", describe(rep))
	}
	h := chainOf(rep, "host-bound")
	if h == nil {
		t.Fatalf("host-bound should still be reported, ranked below: %s", describe(rep))
	}
	if h.Severity >= rep.Chains[0].Severity || h.Evidence["ranked_below"] != rep.Chains[0].ID ||
		!strings.Contains(h.RootCause, "part of this time is the checkpoint") || !strings.Contains(h.Summary, "its checkpoint included") {
		t.Errorf("host-bound not ranked below the checkpoint with its reason: %s / %s / %v", h.Summary, h.RootCause, h.Evidence["ranked_below"])
	}
}
