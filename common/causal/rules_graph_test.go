package causal

import (
	"testing"

	"ingero.dev/common/event"
)

// graphLife plays one process's graph lifecycle as the stand-in's
// graph-life pattern does: a capture broken by cudaMalloc, a capture that
// runs out of memory, a good graph instantiated twice (one never
// launched), fast replays, then re-capture at a collapsing rate.
func graphLife(recapture bool) []event.Event {
	t := genEpoch.UnixNano()
	var evs []event.Event
	add := func(src event.Source, op event.Op, d int64, ret int32, a ...uint64) {
		ev := event.Event{TimeNs: t, PID: 100, TID: 100, Comm: "train", Source: src, Op: op, DurNs: d, Ret: ret, GPU: -1}
		copy(ev.Args[:], a)
		evs = append(evs, ev)
		t += d + 1000
	}
	const stream = 0x5000
	add(event.SourceGraph, event.GraphBeginCapture, 2000, 0, stream, 0)
	add(event.SourceCUDA, event.CudaMalloc, 1000, 900, 1<<20)
	add(event.SourceGraph, event.GraphEndCapture, 2000, 901, stream, 0)
	add(event.SourceGraph, event.GraphBeginCapture, 2000, 0, stream, 2)
	add(event.SourceCUDA, event.CudaMalloc, 1000, 2, 1<<50)
	add(event.SourceGraph, event.GraphEndCapture, 2000, 0, stream, 0xa0)
	add(event.SourceGraph, event.GraphBeginCapture, 2000, 0, stream, 2)
	add(event.SourceGraph, event.GraphEndCapture, 2000, 0, stream, 0xa1)
	add(event.SourceGraph, event.GraphInstantiate, 20000, 0, 0xa1, 0xe1)
	add(event.SourceGraph, event.GraphInstantiate, 20000, 0, 0xa1, 0xe2, 1, 1)
	for range 2000 {
		add(event.SourceGraph, event.GraphLaunch, 30000, 0, 0xe1, stream)
	}
	if recapture {
		for i := range uint64(8) {
			add(event.SourceGraph, event.GraphBeginCapture, 2000, 0, stream, 2)
			add(event.SourceGraph, event.GraphEndCapture, 2000, 0, stream, 0xb0+i)
			add(event.SourceGraph, event.GraphInstantiate, 20e6, 0, 0xb0+i, 0xf0+i)
			add(event.SourceGraph, event.GraphLaunch, 5000, 0, 0xf0+i, stream)
			add(event.SourceGraph, event.GraphLaunch, 5000, 0, 0xf0+i, stream)
		}
	}
	return evs
}

func TestGraphRulesNameTheLifecycle(t *testing.T) {
	rep := analyze(t, graphLife(true), nil)
	wantChain(t, rep, "graph-capture-oom", event.SeverityHigh, "cudaMalloc returned out-of-memory", "asking for 1 PiB")
	c := wantChain(t, rep, "graph-capture-warmup", event.SeverityMedium, "cudaMalloc returned 900", "returned 901")
	if c.Evidence["failed_captures"] != int64(1) {
		t.Errorf("failed captures %v, want 1 (the OOM capture is graph-capture-oom's)", c.Evidence["failed_captures"])
	}
	c = wantChain(t, rep, "graph-never-launched", event.SeverityLow, "0xe2")
	if c.Evidence["never_launched"] != int64(1) {
		t.Errorf("never launched %v, want 1 (0xe2 only)", c.Evidence["never_launched"])
	}
	c = wantChain(t, rep, "graph-recapture", event.SeverityMedium, "instantiated 8 more graphs")
	if c.Evidence["recaptures"] != int64(8) {
		t.Errorf("recaptures %v", c.Evidence["recaptures"])
	}
}

func TestGraphRulesQuietOnSteadyReplay(t *testing.T) {
	evs := graphLife(false)[6:] // from the good capture on
	rep := analyze(t, evs, nil)
	for _, r := range []string{"graph-capture-oom", "graph-capture-warmup", "graph-recapture", "graph-launch-cpu-contention"} {
		wantNoChain(t, rep, r)
	}
}

// Two ranks of one communicator: rank 1 arrives 5 ms after rank 0 in
// every round, so rank 0 waits for it.
func TestBarrierWaitNamesTheStraggler(t *testing.T) {
	t0 := genEpoch.UnixNano()
	var evs []event.Event
	const hash = 0xfeedface
	for i := range int64(40) {
		base := t0 + i*50e6
		for rank, late := range []int64{0, 5e6} {
			ev := event.Event{TimeNs: base + late, PID: uint32(200 + rank), TID: uint32(200 + rank), Comm: "rank",
				Source: event.SourceNCCL, Op: event.NCCLAllReduce, DurNs: 5e6 - late + 1000, GPU: -1}
			ev.Args = [4]uint64{4 << 20, hash, 0x77, uint64(rank) | 2<<32}
			evs = append(evs, ev)
		}
	}
	rep := analyze(t, evs, nil)
	c := wantChain(t, rep, "nccl-barrier-wait", event.SeverityHigh, "rank 1 (rank (PID 201))", "40 of 40 rounds")
	if c.PID != 201 || c.Evidence["straggler_rank"] != int64(1) {
		t.Errorf("chain names PID %d rank %v, want 201 and 1", c.PID, c.Evidence["straggler_rank"])
	}
	// Balanced arrivals name nobody.
	for i := range evs {
		if evs[i].PID == 201 {
			evs[i].TimeNs -= 5e6
		}
	}
	wantNoChain(t, analyze(t, evs, nil), "nccl-barrier-wait")
}

// Graph launches that a CPU hog kept off the CPU take 5 ms instead of
// 10 µs: graph-launch-cpu-contention names the hog.
func TestGraphLaunchUnderCPUContention(t *testing.T) {
	t0 := genEpoch.UnixNano()
	var evs []event.Event
	at := t0
	for i := range 200 {
		d := int64(10_000)
		if i%10 == 0 {
			d = 5_000_000
		}
		ev := event.Event{TimeNs: at, PID: 100, TID: 100, Comm: "train", Source: event.SourceGraph, Op: event.GraphLaunch, DurNs: d, GPU: -1}
		ev.Args = [4]uint64{0xe1, 0x5000}
		evs = append(evs, ev)
		if d > 10_000 {
			evs = append(evs, event.Event{TimeNs: at + 50_000, PID: 100, TID: 100, Comm: "train", Source: event.SourceHost,
				Op: event.SchedSwitch, DurNs: d - 100_000, Args: [4]uint64{3, 1, 3}, PeerPID: 999, PeerComm: "hog", GPU: -1})
		}
		at += d + 1_000_000
	}
	rep := analyze(t, evs, nil)
	c := wantChain(t, rep, "graph-launch-cpu-contention", event.SeverityMedium, "hog (PID 999)")
	if c.Evidence["preempted_launches"] != int64(20) {
		t.Errorf("preempted launches %v, want 20", c.Evidence["preempted_launches"])
	}
}

// A loop that captures a new graph every step at a steady pace has no
// replay phase whose rate could collapse.
func TestGraphRecaptureNeedsAReplayPhase(t *testing.T) {
	t0 := genEpoch.UnixNano()
	var evs []event.Event
	for i := range uint64(50) {
		at := t0 + int64(i)*10e6
		for j, op := range []event.Op{event.GraphInstantiate, event.GraphLaunch, event.GraphLaunch} {
			ev := event.Event{TimeNs: at + int64(j)*1e6, PID: 100, TID: 100, Comm: "train", Source: event.SourceGraph, Op: op, DurNs: 20000, GPU: -1}
			ev.Args = [4]uint64{0xb0 + i, 0xf0 + i}
			if op == event.GraphLaunch {
				ev.Args = [4]uint64{0xf0 + i, 0x5000}
			}
			evs = append(evs, ev)
		}
	}
	wantNoChain(t, analyze(t, evs, nil), "graph-recapture")
}
