package query

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/stream"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// t0 is the start of the fixture's five recorded minutes; the tests' clock
// stands at its end.
var (
	t0  = time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC)
	now = t0.Add(5 * time.Minute)
)

func at(d time.Duration) int64 { return t0.Add(d).UnixNano() }

// fixtureEvents is a small recording with one of each thing the table and
// the NDJSON must show: args of several classes, a preemption, an error, an
// entry-only launch, an unprintable process name and an event two hours
// before the end.
func fixtureEvents() []event.Event {
	py := func(d time.Duration, src event.Source, op event.Op, dur int64, args ...uint64) event.Event {
		ev := event.Event{TimeNs: at(d), PID: 4821, TID: 4821, Comm: "python3", Source: src, Op: op, DurNs: dur, Node: "gpu-node-07", GPU: 0}
		copy(ev.Args[:], args)
		return ev
	}
	evs := []event.Event{
		py(-2*time.Hour, event.SourceCUDA, event.CudaMalloc, 9000, 4096, 0x7f3a00100000),
		py(time.Second, event.SourceCUDA, event.CudaMalloc, 21000, 1<<20, 0x7f3a00000000),
		py(1500*time.Millisecond, event.SourceCUDA, event.CudaMemcpyAsync, 38000, 4<<20, 1, 0x55d0c0ffee00),
		py(2*time.Second, event.SourceDriver, event.CuLaunchKernel, 0, 0x7f3a1000beef, 0x55d0c0ffee00, 80|1<<32|1<<48, 256|1<<32|1<<48),
		py(3*time.Second, event.SourceHost, event.SchedSwitch, 142_000_000, 3, 1, 3),
		py(3200*time.Millisecond, event.SourceCUDA, event.CudaStreamSynchronize, 142_000_000, 0x55d0c0ffee00),
		py(60*time.Second, event.SourceCUDA, event.CudaFree, 15000, 0x7f3a00000000, 1<<20),
		py(61*time.Second, event.SourceCUDA, event.CudaStreamSynchronize, 16_700_000, 0x55d0c0ffee00),
	}
	evs[0].StackID = 0xdeadbeefcafef00d
	evs[4].GPU = -1
	evs[4].PeerPID, evs[4].PeerComm = 8821, "logrotate"
	evs[4].TID = 4830
	emb := func(d time.Duration, src event.Source, op event.Op, dur int64, ret int32, args ...uint64) event.Event {
		ev := event.Event{TimeNs: at(d), PID: 5032, TID: 5040, Comm: "embedding-svc", Source: src, Op: op, DurNs: dur, Ret: ret, Node: "gpu-node-07", GPU: 1}
		copy(ev.Args[:], args)
		return ev
	}
	evs = append(evs,
		emb(20*time.Second, event.SourceDriver, event.CuLaunchKernel, 0, 0, 0x7f4b0000aaaa, 0x1, 1, 1),
		emb(30*time.Second, event.SourceCUDA, event.CudaMemcpy, 42000, 0, 1<<16, 2),
		emb(31*time.Second, event.SourceCUDA, event.CudaMemcpy, 9, 1, 512, 7),
		event.Event{TimeNs: at(2 * time.Minute), PID: 77, TID: 78, Comm: "we\"ird\xff\n", Source: event.SourceHost,
			Op: event.ProcessFork, Node: "gpu-node-07", GPU: -1, PeerPID: 79, PeerComm: "child proc"},
	)
	return evs
}

func fixtureAnnotations() []event.Annotation {
	return []event.Annotation{
		{TimeNs: at(-time.Minute), Labels: map[string]string{"phase": "train"}},
		{TimeNs: at(time.Second), PID: 4821, SpanStart: at(time.Second), SpanEnd: at(3100 * time.Millisecond), Labels: map[string]string{"request_id": "req-1", "model": "llama"}},
		{TimeNs: at(25 * time.Second), PID: 5032, Labels: map[string]string{"phase": "eval"}},
		{TimeNs: at(59 * time.Second), SpanStart: at(59 * time.Second), Labels: map[string]string{"step": "open span"}},
	}
}

// fixture is the recording, as both a database (in chunks of four events,
// so that a few events span several) and a stream file hold it.
func fixture() recordingtest.Recording {
	return recordingtest.Recording{Events: fixtureEvents(), Annotations: fixtureAnnotations(), ChunkEvents: 4,
		Header: stream.Header{SessionID: "gpu-node-07:1", Node: "gpu-node-07", StartNs: at(-3 * time.Hour)}, StopNs: now.UnixNano()}
}

func writeFixtureDB(t *testing.T) string { return recordingtest.WriteDB(t, fixture()) }

func writeFixtureStream(t *testing.T) string { return recordingtest.WriteStream(t, fixture()) }

type result struct {
	out, err string
	code     int
}

// run runs the command with the tests' clock and UTC times.
func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	stdio := cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}
	cmd := newCommand(&config{stdio: stdio, now: func() time.Time { return now }, loc: time.UTC})
	code := cli.Run(cmd, args, stdio)
	return result{out.String(), errb.String(), code}
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
