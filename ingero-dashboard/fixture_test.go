package dashboard

import (
	"cmp"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// t0 is the fixture's start: a finished recording, so windows end at its
// last data rather than now.
var t0 = time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC)

const (
	fixtureSpan  = 5 * time.Minute
	trainPID     = 4821
	embedPID     = 5032
	logrotatePID = 8821
	node         = "gpu-node-07"
)

func at(d time.Duration) int64 { return t0.Add(d).UnixNano() }

// fixture is a five-minute recording of a training loop (PID 4821) that
// logrotate preempts from 2:30 to 3:00, beside an embedding service
// (PID 5032) on the same GPU: sessions, host snapshots every second,
// process names, chains and an annotation, as trace writes them.
type fixture struct {
	events    []event.Event
	snapshots []event.Snapshot
	chains    []event.Chain
	session   event.Session
}

func newFixture() *fixture {
	rng := rand.New(rand.NewPCG(7, 11))
	f := &fixture{}
	ev := func(t int64, pid uint32, comm string, src event.Source, op event.Op, dur int64) {
		f.events = append(f.events, event.Event{TimeNs: t, PID: pid, TID: pid, Comm: comm, Source: src, Op: op, DurNs: dur, Node: node, GPU: 0})
	}
	storm := func(s time.Duration) bool { return s >= 150*time.Second && s < 180*time.Second }
	// The training loop: 40 steps a second, each 12 launches, a copy in
	// and a stream sync that logrotate stretches.
	for step := time.Duration(0); step < fixtureSpan; step += 25 * time.Millisecond {
		t := at(step)
		for k := range 12 {
			ev(t+int64(k)*6000, trainPID, "python3", event.SourceCUDA, event.CudaLaunchKernel, 0)
		}
		ev(t+80_000, trainPID, "python3", event.SourceCUDA, event.CudaMemcpyAsync, 38_000+rng.Int64N(8_000))
		sync := 8_000_000 + rng.Int64N(2_000_000)
		if storm(step) && rng.IntN(4) == 0 {
			sync = 40_000_000 + rng.Int64N(100_000_000)
			f.events = append(f.events, event.Event{TimeNs: t + 200_000, PID: trainPID, TID: trainPID, Comm: "python3",
				Source: event.SourceHost, Op: event.SchedSwitch, DurNs: 3_000_000 + rng.Int64N(4_000_000), Args: [4]uint64{3, 1},
				Node: node, GPU: -1, PeerPID: logrotatePID, PeerComm: "logrotate"})
		}
		ev(t+300_000, trainPID, "python3", event.SourceCUDA, event.CudaStreamSynchronize, sync)
	}
	// The embedding service: driver launches and small synchronous copies.
	for s := time.Duration(0); s < fixtureSpan; s += 50 * time.Millisecond {
		t := at(s) + 1_000_000
		for k := range 8 {
			ev(t+int64(k)*7000, embedPID, "embedding-svc", event.SourceDriver, event.CuLaunchKernel, 0)
		}
		ev(t+90_000, embedPID, "embedding-svc", event.SourceCUDA, event.CudaMemcpy, 42_000+rng.Int64N(10_000))
		if s%(10*time.Second) == 0 {
			ev(t+120_000, embedPID, "embedding-svc", event.SourceCUDA, event.CudaMalloc, 110_000+rng.Int64N(50_000))
		}
	}
	for s := time.Duration(0); s <= fixtureSpan; s += time.Second {
		cpu := 38 + 6*rng.Float64()
		load := 3.2 + rng.Float64()
		if storm(s) {
			cpu, load = 92+5*rng.Float64(), 7.5+rng.Float64()
		}
		f.snapshots = append(f.snapshots, event.Snapshot{TimeNs: at(s), Node: node, CPUPct: cpu, MemPct: 41.5 + rng.Float64(),
			MemAvailMB: 47_000 - int64(rng.IntN(400)), SwapUsedMB: 0, Load1: load})
	}
	f.chains = []event.Chain{
		{
			ID: node + ":cpu-preemption:cudaStreamSynchronize:4821", Node: node, DetectedNs: at(181 * time.Second),
			Severity: event.SeverityHigh, Rule: "cpu-preemption", Op: "cudaStreamSynchronize", PID: trainPID,
			Summary:   "cudaStreamSync p99=131ms (14.2x p50) - CPU contention",
			RootCause: "logrotate (PID 8821) preempted the training process 297 times",
			Fix:       "Add `nice -n 19` to logrotate's cron entry, or pin training to dedicated cores (taskset -c 0-7)",
			Timeline: []event.TimelineEntry{
				{TimeNs: at(150 * time.Second), Layer: "SYSTEM", Detail: "CPU 94% (was 41%), load 7.9"},
				{TimeNs: at(150*time.Second + 200*time.Microsecond), Layer: "HOST", Detail: "sched_switch: PID 8821 (logrotate) preempted PID 4821"},
				{TimeNs: at(150*time.Second + 300*time.Microsecond), Layer: "CUDA", Detail: "cudaStreamSynchronize 131ms (normally 9.2ms)"},
			},
			Evidence: map[string]any{"preemptions": 297, "preemptor": "logrotate", "p99_ns": 131000000, "p50_ns": 9200000},
		},
		{
			ID: node + ":memcpy-bound:cudaMemcpy:5032", Node: node, DetectedNs: at(240 * time.Second),
			Severity: event.SeverityMedium, Rule: "memcpy-bound", Op: "cudaMemcpy", PID: embedPID,
			Summary:   "cudaMemcpy holds embedding-svc 20 times a second, synchronously",
			RootCause: "synchronous device-to-host copies of 64 KiB after every batch",
			Fix:       "Batch the copies, or use cudaMemcpyAsync from pinned memory",
			Timeline:  []event.TimelineEntry{{TimeNs: at(240 * time.Second), Layer: "CUDA", Detail: "cudaMemcpy D2H 64 KiB 47µs, 20/s"}},
			Evidence:  map[string]any{"copies_per_s": 20},
		},
		{
			ID: node + ":multi-process:cuLaunchKernel:0", Node: node, DetectedNs: at(60 * time.Second),
			Severity: event.SeverityLow, Rule: "gpu-contention", Op: "", PID: 0,
			Summary:   "2 processes share GPU 0",
			RootCause: "python3 (4821) and embedding-svc (5032) both launch kernels on GPU 0",
			Fix:       "Give each process its own GPU, or use MPS to share it",
		},
	}
	slices.SortStableFunc(f.events, func(a, b event.Event) int { return cmp.Compare(a.TimeNs, b.TimeNs) })
	f.session = event.Session{ID: node + ":" + "1779637200000000000", Node: node, Host: node, StartNs: at(0), StopNs: at(fixtureSpan),
		Kernel: "6.8.0-45-generic", GPUModel: "NVIDIA H100 80GB HBM3", GPUDriver: "580.159.04", CUDAVersion: "13.0",
		Version: "v0.9.0", Flags: map[string]string{}, PIDFilter: []uint32{},
		Stats: event.SessionStats{Events: uint64(len(f.events)), UserDrops: 12}}
	return f
}

var (
	sharedOnce    sync.Once
	sharedFixture *fixture
	sharedBytes   []byte
)

// shared is the fixture and its database file's bytes, built once per
// test binary: writing 222,000 events for every test made the package
// slow under the race detector.
func shared(t testing.TB) (*fixture, []byte) {
	t.Helper()
	sharedOnce.Do(func() {
		f := newFixture()
		b, err := os.ReadFile(f.write(t))
		if err != nil {
			t.Fatal(err)
		}
		sharedFixture, sharedBytes = f, b
	})
	if sharedBytes == nil {
		t.Fatal("writing the shared fixture failed in an earlier test")
	}
	return sharedFixture, sharedBytes
}

// fixtureCopy writes the shared fixture database to a file of the
// test's own, which the test may watch for changes.
func fixtureCopy(t testing.TB) (*fixture, string) {
	t.Helper()
	f, b := shared(t)
	path := filepath.Join(t.TempDir(), "fixture.db")
	must(t, os.WriteFile(path, b, 0o644))
	return f, path
}

// write stores the fixture as trace would, in a temporary directory.
func (f *fixture) write(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixture.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.BeginSession(f.session))
	must(t, w.Append(f.events))
	must(t, w.PutSnapshots(f.snapshots))
	must(t, w.PutChains(f.chains))
	must(t, w.PutProcessNames([]event.ProcessName{
		{Node: node, PID: trainPID, Comm: "python3", Cmdline: "python3 train.py", FirstNs: at(0), LastNs: at(fixtureSpan)},
		{Node: node, PID: embedPID, Comm: "embedding-svc", FirstNs: at(0), LastNs: at(fixtureSpan)},
	}))
	must(t, w.PutAnnotations([]event.Annotation{{TimeNs: at(0), Labels: map[string]string{"phase": "train", "run": "llama-7b"}}}))
	must(t, w.EndSession(f.session.ID, f.session.StopNs, f.session.Stats))
	must(t, w.Close())
	return path
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
