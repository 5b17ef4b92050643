package store

import (
	"context"
	"reflect"
	"testing"

	"ingero.dev/common/event"
)

func TestRecordsRoundTrip(t *testing.T) {
	path := tempDB(t)
	w, err := OpenWriter(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ses := event.Session{
		ID: "node7:1000", Node: "node7", Host: "gpu-host-7", StartNs: 1000, Kernel: "6.18.0",
		GPUModel: "NVIDIA H100 80GB HBM3", GPUDriver: "570.86", CUDAVersion: "12.8", Version: "v1.2.3",
		Flags: map[string]string{"db": "x.db", "stack": "true"}, PIDFilter: []uint32{4242},
		ClockMonoNs: 77, Stats: event.SessionStats{Events: 1},
	}
	other := event.Session{ID: "node8:2000", Node: "node8", Host: "h8", StartNs: 2000}
	stacks := []event.Stack{
		{ID: 0xfeedface_cafebeef, Frames: []event.Frame{{IP: 0x401000, Symbol: "main", File: "train.py", Line: 12, Module: "python3"}}},
		{ID: 7, Frames: []event.Frame{{IP: 1}, {IP: 2, Symbol: "cudaLaunchKernel"}}},
	}
	snaps := []event.Snapshot{
		{TimeNs: 1500, Node: "node7", CPUPct: 93.5, MemPct: 40.25, MemAvailMB: 1024, SwapUsedMB: 3, Load1: 7.5},
		{TimeNs: 2500, Node: "node7", CPUPct: 10, MemPct: 41, MemAvailMB: 1000, Load1: 1},
	}
	procs := []event.ProcessName{
		{Node: "node7", PID: 4242, Comm: "python3", FirstNs: 1100, LastNs: 1200},
		{Node: "node7", PID: 4242, Comm: "python3", Cmdline: "python3 train.py", FirstNs: 1050, LastNs: 1150},
		{Node: "node7", PID: 4242, Comm: "pt_main_thread", FirstNs: 1300, LastNs: 1400},
	}
	chains := []event.Chain{{
		ID: "node7:cpu-preemption:cudaStreamSynchronize:4242", Node: "node7", DetectedNs: 1600, Severity: event.SeverityHigh,
		Rule: "cpu-preemption", Op: "cudaStreamSynchronize", PID: 4242, Summary: "sync p99 3x baseline",
		RootCause: "preempted by node_exporter", Fix: "pin the trainer",
		Timeline: []event.TimelineEntry{{TimeNs: 1590, Layer: "HOST", Detail: "sched_switch"}},
		Evidence: map[string]any{"p99_ns": 3e6, "preemptions": 12.0},
	}}
	anns := []event.Annotation{
		{TimeNs: 1700, PID: 4242, Labels: map[string]string{"step": "10"}},
		{TimeNs: 900, SpanStart: 900, SpanEnd: 2100, Labels: map[string]string{"phase": "warmup"}},
	}
	for _, err := range []error{
		w.BeginSession(ses), w.BeginSession(other),
		w.PutStacks(stacks), w.PutStacks(stacks[:1]),
		w.PutSnapshots(snaps), w.PutProcessNames(procs), w.PutChains(chains), w.PutAnnotations(anns),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A chain found again replaces the first finding.
	chains[0].Summary = "sync p99 4x baseline"
	if err := w.PutChains(chains); err != nil {
		t.Fatal(err)
	}
	stats := event.SessionStats{Events: 10, KernelDrops: 2, UserDrops: 3, SampledOut: 4}
	if err := w.UpdateSessionStats(ses.ID, event.SessionStats{Events: 5}); err != nil {
		t.Fatal(err)
	}
	if err := w.EndSession(ses.ID, 3000, stats); err != nil {
		t.Fatal(err)
	}
	if err := w.EndSession("no-such-session", 1, stats); err == nil {
		t.Error("ending an unknown session succeeded")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	r := openReader(t, path)
	gotSes, err := r.Sessions()
	if err != nil {
		t.Fatal(err)
	}
	ses.StopNs, ses.Stats = 3000, stats
	other.Flags, other.PIDFilter = map[string]string{}, []uint32{}
	if !reflect.DeepEqual(gotSes, []event.Session{ses, other}) {
		t.Errorf("sessions:\n got %+v\nwant %+v", gotSes, []event.Session{ses, other})
	}
	gotStacks, err := r.Stacks([]uint64{0xfeedface_cafebeef, 7, 99})
	if err != nil {
		t.Fatal(err)
	}
	if len(gotStacks) != 2 || !reflect.DeepEqual(gotStacks[7], stacks[1]) || !reflect.DeepEqual(gotStacks[0xfeedface_cafebeef], stacks[0]) {
		t.Errorf("stacks = %+v", gotStacks)
	}
	gotSnaps, err := r.Snapshots(2000, 0)
	if err != nil || !reflect.DeepEqual(gotSnaps, snaps[1:]) {
		t.Errorf("snapshots from 2000 = %+v, %v", gotSnaps, err)
	}
	gotProcs, err := r.ProcessNames()
	if err != nil {
		t.Fatal(err)
	}
	wantProcs := []event.ProcessName{
		{Node: "node7", PID: 4242, Comm: "python3", Cmdline: "python3 train.py", FirstNs: 1050, LastNs: 1200},
		procs[2],
	}
	if !reflect.DeepEqual(gotProcs, wantProcs) {
		t.Errorf("process names:\n got %+v\nwant %+v", gotProcs, wantProcs)
	}
	gotChains, err := r.Chains(1000, 2000)
	if err != nil || !reflect.DeepEqual(gotChains, chains) {
		t.Errorf("chains:\n got %+v, %v\nwant %+v", gotChains, err, chains)
	}
	if c, err := r.Chains(1700, 0); err != nil || len(c) != 0 {
		t.Errorf("chains after detection = %v, %v", c, err)
	}
	gotAnns, err := r.Annotations(1650, 1800)
	if err != nil || !reflect.DeepEqual(gotAnns, []event.Annotation{anns[1], anns[0]}) {
		t.Errorf("annotations = %+v, %v", gotAnns, err)
	}
	res, err := r.Query(context.Background(), 0, `SELECT json_extract(frames, '$[0].sym') FROM stacks WHERE id = ?`, uint64(0xfeedface_cafebeef))
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != "main" {
		t.Errorf("plain SQL over stacks = %+v, %v", res, err)
	}
}

func TestChunksBelongToTheOpenSession(t *testing.T) {
	path := tempDB(t)
	w, err := OpenWriter(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wl := newWorkload(50, "n", 1, 1e18)
	steps := []func() error{
		func() error { return w.Append(wl.events(10)) },
		func() error { return w.BeginSession(event.Session{ID: "n:1", Node: "n", StartNs: 1}) },
		func() error { return w.Append(wl.events(20)) },
		func() error { return w.EndSession("n:1", 2, event.SessionStats{Events: 20}) },
		func() error { return w.BeginSession(event.Session{ID: "n:3", Node: "n", StartNs: 3}) },
		func() error { return w.Append(wl.events(30)) },
		func() error { return w.Close() },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	r := openReader(t, path)
	res, err := r.Query(context.Background(), 0, `SELECT coalesce(session_id, '-'), sum(n) FROM event_chunks GROUP BY 1 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"-", int64(10)}, {"n:1", int64(20)}, {"n:3", int64(30)}}
	if !reflect.DeepEqual(res.Rows, want) {
		t.Errorf("events per session = %v, want %v", res.Rows, want)
	}
}
