package causal

import (
	"reflect"
	"testing"
	"time"

	"ingero.dev/common/event"
)

// TestAccountBuckets books a hand-made thread life through the real store:
// a sync that sleeps inside (CUDA time, not sleep), then between calls
// on-CPU, preempted, blocked on its own disk write, asleep, off-CPU in an
// unrecorded state, and exited before the window ends.
func TestAccountBuckets(t *testing.T) {
	base := genEpoch.UnixNano()
	ms := func(v float64) int64 { return int64(v * 1e6) }
	ev := func(at float64, src event.Source, op event.Op, dur float64, args [4]uint64) event.Event {
		return event.Event{TimeNs: base + ms(at), PID: 100, TID: 100, Comm: "train", Node: node,
			Source: src, Op: op, DurNs: ms(dur), Args: args}
	}
	sw := func(at, dur float64, preempted, state uint64) event.Event {
		e := ev(at, event.SourceHost, event.SchedSwitch, dur, [4]uint64{1, preempted, 1, state})
		e.GPU = -1
		if preempted == 1 {
			e.PeerPID, e.PeerComm = 900, "hog"
		}
		return e
	}
	io := func(at, dur float64, op event.Op, args [4]uint64) event.Event {
		e := ev(at, event.SourceIO, op, dur, args)
		e.GPU = -1
		return e
	}
	dev := uint64(259 << 20)
	evs := []event.Event{
		ev(0, event.SourceCUDA, event.CudaLaunchKernel, 0, [4]uint64{1, 2}),
		ev(1, event.SourceCUDA, event.CudaStreamSynchronize, 9, [4]uint64{2}),
		sw(2, 5, 0, taskInterruptible), // asleep inside the sync
		sw(20, 5, 1, 0),
		sw(30, 10, 0, taskUninterruptible),
		io(30, 9, event.BlockWrite, [4]uint64{1 << 20, 8, dev}),
		io(38, 1, event.BlockFlush, [4]uint64{dev}),
		sw(40, 10, 0, taskInterruptible),
		sw(50, 5, 0, 0),
		ev(60, event.SourceCUDA, event.CudaLaunchKernel, 0, [4]uint64{1, 2}),
		ev(70, event.SourceHost, event.ProcessExit, 0, [4]uint64{}),
		{TimeNs: base + ms(100), PID: 200, TID: 200, Comm: "other", Node: node, Source: event.SourceCUDA,
			Op: event.CudaMalloc, DurNs: 0, GPU: 1, Args: [4]uint64{4096, 0x1000}},
	}
	evs[10].GPU = -1
	rep := analyze(t, evs, nil)
	var got *ThreadAccount
	for i := range rep.Threads {
		if rep.Threads[i].TID == 100 {
			got = &rep.Threads[i]
		}
	}
	if got == nil {
		t.Fatalf("no account for TID 100: %+v", rep.Threads)
	}
	want := ThreadAccount{Node: node, PID: 100, TID: 100, Comm: "train", FromNs: base, ToNs: base + ms(100), WallNs: ms(100), GPUCalls: 3,
		CUDANs: ms(9), OnCPUNs: ms(31), RunnableNs: ms(5), IOWaitNs: ms(10), SleepingNs: ms(10), BlockedNs: ms(5), ExitedNs: ms(30),
		GPUIdleOnCPUNs: ms(20), GPUIdleRunnableNs: ms(5), GPUIdleIOWaitNs: ms(10), GPUIdleSleepingNs: ms(10), GPUIdleBlockedNs: ms(5),
	}
	g := *got
	if len(g.Preemptors) != 1 || g.Preemptors[0] != (Preemptor{PID: 900, Comm: "hog", Preemptions: 1, Ns: ms(5)}) {
		t.Errorf("preemptors %+v", g.Preemptors)
	}
	if g.IO.Requests != 2 || g.IO.Flushes != 1 || g.IO.WriteBytes != 1<<20 || len(g.IO.Devices) != 1 || g.IO.Devices[0] != "259:0" {
		t.Errorf("io %+v", g.IO)
	}
	g.Preemptors, g.IO = nil, ThreadIO{}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("account\n got %+v\nwant %+v", g, want)
	}
	if sum := sumBuckets(got); sum != got.WallNs {
		t.Errorf("buckets sum to %d, wall %d", sum, got.WallNs)
	}
}

func sumBuckets(a *ThreadAccount) int64 {
	return a.CUDANs + a.OnCPUNs + a.RunnableNs + a.IOWaitNs + a.SleepingNs + a.BlockedNs + a.ExitedNs
}

// TestAccountSumsToWall: on seeded loops with every kind of noise, out of
// order intervals included, every thread's buckets sum to its wall time,
// which runs from its first event to the end of the window.
func TestAccountSumsToWall(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		g := newGen(900+seed, 6*time.Second)
		g.noise()
		g.preempt("hog", 999, 3, 1e6)
		dataLoader(g, 2e6)
		rep := analyzeGen(t, g)
		if len(rep.Threads) == 0 {
			t.Fatal("no accounts")
		}
		for _, a := range rep.Threads {
			if sumBuckets(&a) != a.WallNs || a.WallNs != rep.ToNs-a.FromNs {
				t.Errorf("seed %d TID %d: buckets %d, wall %d, window from its start %d", seed, a.TID, sumBuckets(&a), a.WallNs, rep.ToNs-a.FromNs)
			}
			for _, v := range []int64{a.CUDANs, a.OnCPUNs, a.RunnableNs, a.IOWaitNs, a.SleepingNs, a.BlockedNs, a.ExitedNs} {
				if v < 0 {
					t.Errorf("seed %d: negative bucket in %+v", seed, a)
				}
			}
			if a.GPUIdleNs() > a.OnCPUNs+a.RunnableNs+a.IOWaitNs+a.SleepingNs+a.BlockedNs {
				t.Errorf("seed %d: GPU idle %d beyond the time between calls", seed, a.GPUIdleNs())
			}
			if a.RunnableNs == 0 || a.CUDANs == 0 || a.OnCPUNs == 0 {
				t.Errorf("seed %d: expected time in calls, on CPU and preempted: %+v", seed, a)
			}
		}
	}
}
