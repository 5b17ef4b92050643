package stream

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"slices"
	"testing"

	"ingero.dev/common/batch/batchtest"
	"ingero.dev/common/event"
)

func testHeader() Header {
	return Header{
		SessionID: "node7:1750000000000000000", Node: "node7", Host: "node7.lab",
		StartNs: 1_750_000_000_000_000_000, ClockMonoNs: 123_456_789_012, Version: "v0.1.0",
		Kernel: "6.18.0", GPUModel: "NVIDIA H100 80GB HBM3", GPUDriver: "570.86", CUDAVersion: "12.8",
		Flags: map[string]string{"stack": "true", "node": "node7"}, PIDFilter: []uint32{4242},
	}
}

// sample is a small stream holding every frame kind, and the frames a
// reader must return for it, with the stream offset each one ends at.
type sample struct {
	data    []byte
	frames  []Frame // in order, header excluded
	ends    []int64 // ends[i] is where frames[i] ends; ends of the header first
	hdrEnd  int64
	stats   event.SessionStats
	stopNs  int64
	written WriterStats
}

func buildSample(t testing.TB, eventsPerFrame int) sample {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	s := sample{hdrEnd: int64(buf.Len()), stats: event.SessionStats{Events: 1234, KernelDrops: 5, UserDrops: 6, SampledOut: 7}, stopNs: 1_750_000_100_000_000_000}
	add := func(f Frame, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		s.frames = append(s.frames, f)
		s.ends = append(s.ends, int64(buf.Len()))
	}
	storm := batchtest.LaunchStorm(3, eventsPerFrame)
	add(Frame{Kind: KindEvents, Events: storm}, w.WriteEvents(storm))
	stacks := []event.Stack{
		{ID: math.MaxUint64, Frames: []event.Frame{{IP: 0x7f3a00001234, Symbol: "cudaLaunchKernel", Module: "libcudart.so.12"}, {IP: 0x55aa, Symbol: "forward", File: "model.py", Line: 88}}},
		{ID: 1, Frames: []event.Frame{}},
	}
	add(Frame{Kind: KindStacks, Stacks: stacks}, w.WriteStacks(stacks))
	snaps := []event.Snapshot{
		{TimeNs: 1_750_000_000_500_000_000, Node: "node7", CPUPct: 93.5, MemPct: 41.25, MemAvailMB: 120_000, SwapUsedMB: 0, Load1: 12.07,
			GPUs: []event.GPUUtil{{GPU: 0, UtilPct: 87, MemPct: 41, Procs: []event.GPUProcUtil{{PID: 4242, SMPct: 60, MemPct: 30}}}, {GPU: 1, UtilPct: -1, MemPct: -1}}},
		{TimeNs: 1_750_000_001_500_000_000, Node: "node7", CPUPct: math.Inf(1), MemPct: math.Inf(-1), Load1: -0.0},
	}
	add(Frame{Kind: KindSnapshots, Snapshots: snaps}, w.WriteSnapshots(snaps))
	procs := []event.ProcessName{{Node: "node7", PID: 4242, Comm: "python3", Cmdline: "python3 train.py --epochs 3", FirstNs: 1, LastNs: math.MaxInt64}}
	add(Frame{Kind: KindProcesses, Processes: procs}, w.WriteProcessNames(procs))
	chains := []event.Chain{{
		ID: "node7:cpu-preemption:cudaStreamSynchronize:4242", Node: "node7", DetectedNs: 1_750_000_002_000_000_000,
		Severity: event.SeverityHigh, Rule: "cpu-preemption", Op: "cudaStreamSynchronize", PID: 4242,
		Summary: "cudaStreamSync p99=142ms (8.5x p50)", RootCause: "CPU contention <&>", Fix: "pin the training process",
		Timeline: []event.TimelineEntry{{TimeNs: 1, Layer: "HOST", Detail: "sched_switch"}, {TimeNs: 2, Layer: "CUDA", Detail: "sync 142ms"}},
		Evidence: map[string]any{"p99_ms": 142.0, "ratio": 8.5, "nested": map[string]any{"cpus": []any{1.0, 3.0}}},
	}}
	add(Frame{Kind: KindChains, Chains: chains}, w.WriteChains(chains))
	anns := []event.Annotation{{TimeNs: 5, PID: 4242, SpanStart: 5, SpanEnd: 9, Labels: map[string]string{"step": "17"}}, {TimeNs: 6}}
	add(Frame{Kind: KindAnnotations, Annotations: anns}, w.WriteAnnotations(anns))
	mixed := batchtest.Mixed(4, eventsPerFrame/2)
	add(Frame{Kind: KindEvents, Events: mixed}, w.WriteEvents(mixed))
	s.written = w.Stats()
	trailer := &Trailer{StopNs: s.stopNs, Stats: s.stats, EventsWritten: s.written.Events, FramesWritten: s.written.Frames}
	add(Frame{Kind: KindTrailer, Trailer: trailer}, w.Close(s.stats, s.stopNs))
	s.data = buf.Bytes()
	return s
}

// readAll reads every frame, copying event slices that Next reuses, and
// collects the corruption reports.
func readAll(t testing.TB, r *Reader) ([]Frame, []*CorruptFrameError) {
	t.Helper()
	var frames []Frame
	var bad []*CorruptFrameError
	last := int64(-1)
	for {
		f, err := r.Next()
		if err == io.EOF {
			return frames, bad
		}
		var c *CorruptFrameError
		if errors.As(err, &c) {
			bad = append(bad, c)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if f.Offset <= last {
			t.Fatalf("frame offset %d after %d", f.Offset, last)
		}
		last = f.Offset
		f.Events = slices.Clone(f.Events)
		frames = append(frames, f)
	}
}

func sameFrame(t testing.TB, got, want Frame) {
	t.Helper()
	got.Offset = 0
	if got.Kind != want.Kind {
		t.Fatalf("frame kind %v, want %v", got.Kind, want.Kind)
	}
	if len(got.Events) != len(want.Events) || (len(want.Events) > 0 && !reflect.DeepEqual(got.Events, want.Events)) {
		t.Fatalf("%v frame: events differ (%d vs %d)", want.Kind, len(got.Events), len(want.Events))
	}
	got.Events, want.Events = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%v frame differs:\n got %+v\nwant %+v", want.Kind, got, want)
	}
}
