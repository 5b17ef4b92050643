package explain

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/source"
	"ingero.dev/common/stream"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// t0 is the start of the fixture's five recorded minutes; the tests' clock
// stands at its end, so the default --since 5m covers them exactly.
var (
	t0  = time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC)
	now = t0.Add(5 * time.Minute)
)

func at(d time.Duration) int64 { return t0.Add(d).UnixNano() }

// fixtureEvents is the recording of a busy training loop, PID 4821: each
// step launches a kernel and syncs on it, 19.5 ms of GPU work with 0.4 ms
// of host work between steps. logrotate (PID 8821) preempts it for 125 ms
// every 100 steps and that step's sync takes 142 ms. An embedding
// service, PID 5032, shares the GPU with its own launches and copies.
func fixtureEvents() []event.Event { return workload(true, true) }

// workload builds the five minutes; without preemption and the second
// process it is a clean run that must give no HIGH chain.
func workload(preempt, cotenant bool) []event.Event {
	var evs []event.Event
	add := func(ns int64, pid uint32, comm string, src event.Source, op event.Op, dur int64, args ...uint64) *event.Event {
		ev := event.Event{TimeNs: ns, PID: pid, TID: pid, Comm: comm, Source: src, Op: op, DurNs: dur, Node: "gpu-node-07"}
		copy(ev.Args[:], args)
		evs = append(evs, ev)
		return &evs[len(evs)-1]
	}
	end := at(5 * time.Minute)
	for i, ns := 0, at(0); ns < end-200*int64(time.Millisecond); i++ {
		add(ns, 4821, "python3", event.SourceDriver, event.CuLaunchKernel, 4800+int64(i%7)*100, 0x7f3a1000beef, 0x55d0c0ffee00)
		sync := int64(19_500_000 + (i%11)*10_000)
		if preempt && i%100 == 50 {
			sw := add(ns+50_000, 4821, "python3", event.SourceHost, event.SchedSwitch, 125_000_000, 3, 1, 3)
			sw.PeerPID, sw.PeerComm = 8821, "logrotate"
			sync = 142_000_000
		}
		add(ns+100_000, 4821, "python3", event.SourceCUDA, event.CudaStreamSynchronize, sync, 0x55d0c0ffee00)
		if cotenant && i%10 == 0 {
			add(ns+200_000, 5032, "embedding-svc", event.SourceDriver, event.CuLaunchKernel, 5100, 0x7f4b0000aaaa, 0x1)
			add(ns+300_000, 5032, "embedding-svc", event.SourceCUDA, event.CudaMemcpy, 42000+int64(i%5)*1000, 1<<16, 2)
		}
		ns += 100_000 + sync + 400_000
	}
	slices.SortStableFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.TimeNs, b.TimeNs) })
	return evs
}

// fixtureChains are what trace would have stored live.
func fixtureChains() []event.Chain {
	return []event.Chain{
		{
			ID: "gpu-node-07:cpu-preemption:cudaStreamSynchronize:4821", Node: "gpu-node-07", DetectedNs: at(150*time.Second + 2*time.Millisecond),
			Severity: event.SeverityHigh, Rule: "cpu-preemption", Op: "cudaStreamSynchronize", PID: 4821,
			Summary:   "cudaStreamSync p99=142ms (8.5x p50) - CPU contention",
			RootCause: "logrotate preempted training process 30 times",
			Fix:       "Add `nice -n 19` to logrotate cron, or pin training to dedicated cores",
			Timeline: []event.TimelineEntry{
				{TimeNs: at(150*time.Second + time.Millisecond), Layer: "HOST", Detail: "sched_switch: PID 8821 (logrotate) preempted PID 4821"},
				{TimeNs: at(150*time.Second + 2*time.Millisecond), Layer: "CUDA", Detail: "cudaStreamSync 142ms (normally 16.7ms)"},
			},
			Evidence: map[string]any{"preemptions": 30, "preemptor": "logrotate", "p99_ns": 142000000},
		},
		{
			ID: "gpu-node-07:memcpy-bound:cudaMemcpy:5032", Node: "gpu-node-07", DetectedNs: at(200 * time.Second),
			Severity: event.SeverityMedium, Rule: "memcpy-bound", Op: "cudaMemcpy", PID: 5032,
			Summary:   "cudaMemcpy takes 30% of embedding-svc's wall time",
			RootCause: "synchronous device-to-host copies of 64 KiB",
			Fix:       "Batch the copies, or use cudaMemcpyAsync from pinned memory",
			Timeline:  []event.TimelineEntry{{TimeNs: at(200 * time.Second), Layer: "CUDA", Detail: "cudaMemcpy D2H 64 KiB 44µs"}},
		},
	}
}

func fixtureAnnotations() []event.Annotation {
	return []event.Annotation{
		{TimeNs: at(-time.Minute), Labels: map[string]string{"phase": "train"}},
		{TimeNs: at(149 * time.Second), PID: 4821, SpanStart: at(149 * time.Second), SpanEnd: at(151 * time.Second), Labels: map[string]string{"step": "1490"}},
		{TimeNs: at(250 * time.Second), PID: 5032, Labels: map[string]string{"phase": "eval"}},
	}
}

// fixture is the recording, as both a database and a stream file hold it.
func fixture() recordingtest.Recording {
	return recordingtest.Recording{Events: fixtureEvents(), Chains: fixtureChains(), Annotations: fixtureAnnotations(),
		Header: stream.Header{SessionID: "gpu-node-07:1", Node: "gpu-node-07", StartNs: at(0)}, StopNs: now.UnixNano()}
}

func writeFixtureDB(t testing.TB) string { return recordingtest.WriteDB(t, fixture()) }

func writeFixtureStream(t *testing.T) string { return recordingtest.WriteStream(t, fixture()) }

type result struct {
	out, err string
	code     int
}

type analyzeFunc func(context.Context, source.Source, causal.Options) (*causal.Report, error)

// runWith runs the command with the tests' clock, UTC times and the given
// engine.
func runWith(t testing.TB, analyze analyzeFunc, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	stdio := cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}
	cmd := newCommand(&config{stdio: stdio, now: func() time.Time { return now }, loc: time.UTC, analyze: analyze})
	code := cli.Run(cmd, args, stdio)
	return result{out.String(), errb.String(), code}
}

// run uses the real causal engine.
func run(t testing.TB, args ...string) result {
	t.Helper()
	return runWith(t, causal.Analyze, args...)
}

// golden compares got with testdata/name.golden, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}
