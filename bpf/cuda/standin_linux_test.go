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
	assertCounts(t, wantCounts(counts), gotCounts(events))
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
	assertCounts(t, wantCounts(counts), gotCounts(events))
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
	assertCounts(t, wantCounts(counts), gotCounts(events))
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
	assertCounts(t, wantCounts(counts), gotCounts(events))
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
	assertCounts(t, wantCounts(counts), gotCounts(events))
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

// assertDurations compares, per function with a return probe, the total
// recorded duration with the time the workload measured around its calls.
// The workload's figure includes the probes' own traps, so the recorded one
// may be lower by a few microseconds per call, never higher.
func assertDurations(t *testing.T, c *standin.Counts, events []event.Event) {
	t.Helper()
	total := map[event.Key]time.Duration{}
	for _, e := range events {
		total[e.Key()] += time.Duration(e.DurNs)
	}
	busy := map[event.Key]time.Duration{}
	calls := map[event.Key]uint64{}
	for fn, n := range c.Calls {
		k, ok := opOf(fn)
		if !ok || classOf(event.Event{Source: k.Source, Op: k.Op}) == event.ClassLaunch {
			continue
		}
		busy[k] += c.Busy(fn)
		calls[k] += n
	}
	for k, want := range busy {
		got := total[k]
		slack := time.Duration(calls[k]) * 30 * time.Microsecond
		if got > want+want/50 || got < want-want/10-slack {
			t.Errorf("%s: recorded %v in all, the workload measured %v over %d calls",
				event.OpName(k.Source, k.Op), got, want, calls[k])
		}
	}
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
	assertCounts(t, wantCounts(counts), gotCounts(events))
	assertPairs(t, events)
}
