package cuda

import (
	"testing"
	"time"

	"ingero.dev/bpf/standin"
	"ingero.dev/common/event"
)

// TestBasicCountsEqualWorkload runs the basic pattern under the probes: each
// runtime call is one record (the driver calls below it are not counted
// again), direct driver calls are driver records, and runtime launches seen
// at the driver are attributed to cudaLaunchKernel.
func TestBasicCountsEqualWorkload(t *testing.T) {
	h := newHarness(t, Options{})
	counts := h.run(nil, "--pattern", "basic", "--iterations", "5")
	events := h.of(counts.PID)
	assertCounts(t, counts.Want(), gotCounts(events))
	assertDurations(t, counts, events)
	assertPairs(t, events)
	assertLaunchArgs(t, events)
}

// TestRuntimeOnlyLaunchesCountOnce: a runtime whose launches never reach the
// exported driver entry (older stacks) still has each launch counted once.
func TestRuntimeOnlyLaunchesCountOnce(t *testing.T) {
	h := newHarness(t, Options{Calibrate: 5 * time.Millisecond})
	counts := h.run([]string{"STANDIN_RUNTIME_ONLY=1"}, "--pattern", "launch-storm", "--iterations", "3")
	if !counts.RuntimeOnly {
		t.Fatal("the workload did not run in runtime-only mode")
	}
	layer, _ := h.tr.LaunchLayer(uint32(counts.PID))
	events := h.of(counts.PID)
	assertCounts(t, counts.Want(), gotCounts(events))
	if layer != LayerRuntime {
		t.Errorf("launch layer %v, want runtime: the driver never saw these launches", layer)
	}
}

// TestCalibrationSwitchesMidStormWithoutLoss moves launch counting from the
// runtime to the driver while launches are in flight: counts stay exact.
func TestCalibrationSwitchesMidStormWithoutLoss(t *testing.T) {
	h := newHarness(t, Options{Calibrate: 2 * time.Millisecond})
	counts := h.run(nil, "--pattern", "launch-storm", "--iterations", "20")
	pid := uint32(counts.PID)
	layer, _ := h.tr.LaunchLayer(pid)
	st, ok, err := h.maps.Lookup(pid)
	if err != nil || !ok {
		t.Fatalf("looking up the workload: %v %v", ok, err)
	}
	events := h.of(counts.PID)
	assertCounts(t, counts.Want(), gotCounts(events))
	if layer != LayerDriver {
		t.Errorf("launch layer %v, want driver after calibration", layer)
	}
	launches := gotCounts(events)[keyLaunch]
	if st.RuntimeLaunches == 0 || st.RuntimeLaunches >= launches {
		t.Errorf("%d of %d launches counted at the runtime: the switch did not happen mid-run",
			st.RuntimeLaunches, launches)
	}
}

// TestThreadsCountPerThread runs basic on two threads at once: the
// per-thread call state keeps each thread's runtime and driver calls apart.
func TestThreadsCountPerThread(t *testing.T) {
	h := newHarness(t, Options{})
	counts := h.run(nil, "--pattern", "threads", "--iterations", "4")
	events := h.of(counts.PID)
	assertCounts(t, counts.Want(), gotCounts(events))
	tids := map[uint32]bool{}
	for _, e := range events {
		tids[e.TID] = true
	}
	for _, tid := range counts.TIDs {
		if !tids[uint32(tid)] {
			t.Errorf("no events from thread %d", tid)
		}
	}
	assertPairs(t, events)
}

// TestLaunchLatencyRecordsDurations: with return probes on launches, each
// launch has a duration, and counts stay exact.
func TestLaunchLatencyRecordsDurations(t *testing.T) {
	h := newHarness(t, Options{LaunchLatency: true})
	counts := h.run(nil, "--pattern", "basic", "--iterations", "2")
	events := h.of(counts.PID)
	assertCounts(t, counts.Want(), gotCounts(events))
	for _, e := range events {
		if cls := classOf(e); cls == event.ClassLaunch && e.DurNs <= 0 {
			t.Fatalf("%s without a duration under --launch-latency", e.OpName())
		}
	}
}

var keyLaunch = event.Key{Source: event.SourceCUDA, Op: event.CudaLaunchKernel}

func classOf(e event.Event) event.Class {
	oi, _ := event.LookupOp(e.Source, e.Op)
	return oi.Class
}

// assertDurations checks, per function with a return probe, that the total
// recorded duration lies between what the stand-in must spin for (its
// configured costs) and what the workload measured around its calls. The
// recorded interval sits inside the measured one, so it can never exceed
// it; a preemption inside the call lengthens both, one outside only the
// workload's, so the floor comes from the configuration.
func assertDurations(t *testing.T, c *standin.Counts, events []event.Event) {
	t.Helper()
	total := map[string]time.Duration{}
	for _, e := range events {
		total[e.OpName()] += time.Duration(e.DurNs)
	}
	floors := spinFloors(standin.DefaultConfig())
	busy := map[string]time.Duration{}
	floor := map[string]time.Duration{}
	for fn, n := range c.Calls {
		k, ok := standin.EventOp(fn)
		if !ok || classOf(event.Event{Source: k.Source, Op: k.Op}) == event.ClassLaunch {
			continue
		}
		name := event.OpName(k.Source, k.Op)
		busy[name] += c.Busy(fn)
		f, ok := floors[fn]
		if !ok {
			t.Fatalf("no spin floor for %s", fn)
		}
		floor[name] += time.Duration(n) * f
	}
	for name, measured := range busy {
		got := total[name]
		if got > measured+measured/50 || got < floor[name]*95/100 {
			t.Errorf("%s: recorded %v in all; want at least the configured %v, at most the measured %v",
				name, got, floor[name], measured)
		}
	}
}

// spinFloors is the least time each function spins for with cfg, whatever
// its arguments: runtime calls spin around their driver call, so they
// include it.
func spinFloors(cfg standin.Config) map[string]time.Duration {
	rt := 2 * cfg.Runtime
	f := map[string]time.Duration{
		"cuMemAlloc_v2": cfg.Alloc, "cuMemAllocManaged": cfg.Alloc, "cuMemFree_v2": cfg.Free,
		"cuMemcpy": cfg.Memcpy, "cuMemcpyHtoD_v2": cfg.Memcpy, "cuMemcpyDtoH_v2": cfg.Memcpy,
		"cuMemcpyDtoD_v2": cfg.Memcpy, "cuMemcpyAsync": cfg.AsyncEnqueue, "cuMemcpyHtoDAsync_v2": cfg.AsyncEnqueue,
		"cuMemcpyDtoHAsync_v2": cfg.AsyncEnqueue, "cuMemcpyDtoDAsync_v2": cfg.AsyncEnqueue,
		"cuStreamSynchronize": cfg.Sync, "cuCtxSynchronize": cfg.Sync,
		"cudaMallocHost": cfg.HostAlloc, "cudaFreeHost": cfg.HostFree,
	}
	for fn, d := range map[string]time.Duration{
		"cudaMalloc": cfg.Alloc, "cudaMallocManaged": cfg.Alloc, "cudaFree": cfg.Free,
		"cudaMemcpy": cfg.Memcpy, "cudaMemcpyAsync": cfg.AsyncEnqueue, "cudaMemcpy2D": cfg.Memcpy,
		"cudaMemcpy2DAsync": cfg.AsyncEnqueue, "cudaMemcpyPeer": cfg.Memcpy, "cudaMemcpyPeerAsync": cfg.AsyncEnqueue,
		"cudaStreamSynchronize": cfg.Sync, "cudaDeviceSynchronize": cfg.Sync, "cudaEventSynchronize": cfg.Sync,
	} {
		f[fn] = rt + d
	}
	return f
}

// assertPairs checks that every free names the size of the allocation that
// returned its pointer, and that every allocation carries its pointer.
func assertPairs(t *testing.T, events []event.Event) {
	t.Helper()
	var frees, allocs int
	for _, e := range events {
		switch classOf(e) {
		case event.ClassAlloc:
			allocs++
			if e.Args[1] == 0 {
				t.Errorf("%s of %d bytes without a pointer", e.OpName(), e.Args[0])
			}
		case event.ClassFree:
			frees++
			if e.Args[1] == 0 {
				t.Errorf("%s of %#x not paired with its allocation", e.OpName(), e.Args[0])
			}
		}
	}
	if allocs == 0 || frees == 0 {
		t.Errorf("%d allocations and %d frees: the pattern makes both", allocs, frees)
	}
}

// assertLaunchArgs checks the packed grid and block of basic's launches.
func assertLaunchArgs(t *testing.T, events []event.Event) {
	t.Helper()
	pack := func(x, y, z uint64) uint64 { return x | y<<32 | z<<48 }
	want := map[event.Key]map[[2]uint64]bool{
		keyLaunch: {{pack(256, 1, 1), pack(128, 1, 1)}: true},
		{Source: event.SourceDriver, Op: event.CuLaunchKernel}:   {{pack(128, 1, 1), pack(128, 1, 1)}: true},
		{Source: event.SourceDriver, Op: event.CuLaunchKernelEx}: {{pack(64, 1, 1), pack(128, 1, 1)}: true},
	}
	for _, e := range events {
		if w, ok := want[e.Key()]; ok && !w[[2]uint64{e.Args[2], e.Args[3]}] {
			t.Errorf("%s grid %#x block %#x", e.OpName(), e.Args[2], e.Args[3])
		}
	}
}

// TestPerFunctionLinks takes the path of kernels without uprobe_multi
// (before 6.6): the same programs on one perf link per function.
func TestPerFunctionLinks(t *testing.T) {
	old := haveUprobeMulti
	haveUprobeMulti = func() bool { return false }
	defer func() { haveUprobeMulti = old }()
	h := newHarness(t, Options{})
	if h.tr.multi {
		t.Fatal("still on uprobe_multi links")
	}
	counts := h.run(nil, "--pattern", "basic", "--iterations", "2")
	events := h.of(counts.PID)
	assertCounts(t, counts.Want(), gotCounts(events))
	assertPairs(t, events)
}

// TestPerProcessReturnProbes attaches return probes only for the workload
// (the mode for kernels whose seccomp may deny the uretprobe call).
func TestPerProcessReturnProbes(t *testing.T) {
	h := newHarness(t, Options{ReturnProbes: ReturnPerProcess})
	counts := h.run(nil, "--pattern", "basic", "--iterations", "3")
	events := h.of(counts.PID)
	assertCounts(t, counts.Want(), gotCounts(events))
	assertDurations(t, counts, events)
	assertPairs(t, events)
}

// TestNoReturnProbesStillCountsOnce: a process whose seccomp filter would
// deny the uretprobe call gets entry records only, and the driver calls the
// runtime makes are still not counted twice (by caller address).
func TestNoReturnProbesStillCountsOnce(t *testing.T) {
	h := newHarness(t, Options{ReturnProbes: ReturnPerProcess})
	counts := h.runWith(false, nil, "--pattern", "basic", "--iterations", "3")
	events := h.of(counts.PID)
	assertCounts(t, counts.Want(), gotCounts(events))
	for _, e := range events {
		if e.DurNs != 0 {
			t.Fatalf("%s has a duration without return probes", e.OpName())
		}
	}
}
