package ndjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"testing"

	"ingero.dev/common/event"
)

var update = flag.Bool("update", false, "rewrite testdata goldens and the generated part of docs/json.md")

// t0 is 2026-05-24T15:41:20Z.
const t0 = int64(1779637280) * 1e9

func goldenEvents() []event.Event {
	return []event.Event{
		{TimeNs: t0 + 123_456, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceCUDA, Op: event.CudaMalloc,
			DurNs: 21_000, Args: [4]uint64{1 << 20, 0x7f3a00000000}, Node: "gpu-node-07",
			StackID: 0xdeadbeefcafef00d, GPU: 0, CgroupID: 4242},
		{TimeNs: t0 + 5_000_000, PID: 4821, TID: 4830, Comm: "pt_data_worker", Source: event.SourceCUDA, Op: event.CudaMemcpyAsync,
			DurNs: 38_000, Args: [4]uint64{4 << 20, 1, 0x55d0c0ffee00}, Node: "gpu-node-07", GPU: 0},
		{TimeNs: t0 + 5_100_000, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceDriver, Op: event.CuLaunchKernel,
			Args: [4]uint64{0x7f3a1000beef, 0x55d0c0ffee00}, Node: "gpu-node-07", GPU: 0},
		{TimeNs: t0 + 1_000_000_000, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceHost, Op: event.SchedSwitch,
			DurNs: 142_000_000, Args: [4]uint64{3, 1}, Node: "gpu-node-07", GPU: -1, PeerPID: 8821, PeerComm: "logrotate"},
		{TimeNs: t0 + 1_500_000_000, PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceHost, Op: event.ProcessFork,
			Node: "gpu-node-07", GPU: -1, PeerPID: 4900, PeerComm: "python3"},
		{TimeNs: t0 + 2_000_000_001, PID: 77, TID: 78, Comm: "we\"ird\xff\n\x01", Source: event.SourceCUDA, Op: event.CudaMemcpy,
			DurNs: 9, Args: [4]uint64{512, 7}, Ret: 1, Node: "", GPU: -1},
		{TimeNs: t0 + 3_000_000_000, PID: 1, TID: 1, Comm: "init", Source: event.SourceCUDA, Op: 200,
			DurNs: 5, Args: [4]uint64{0, 9, 0, math.MaxUint64}, Ret: -2, GPU: -1},
	}
}

func encodeAll(t testing.TB, evs []event.Event) []byte {
	var buf bytes.Buffer
	if err := NewEncoder(&buf).EncodeBatch(evs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	const path = "testdata/trace.golden.ndjson"
	got := encodeAll(t, goldenEvents())
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func TestLinesAreValidJSONWithContractTypes(t *testing.T) {
	for i, line := range bytes.Split(bytes.TrimSuffix(encodeAll(t, goldenEvents()), []byte("\n")), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i, err, line)
		}
		for _, f := range []string{"timestamp", "process_name", "source", "op", "node"} {
			if _, ok := m[f].(string); !ok {
				t.Errorf("line %d: %s is %T, want string", i, f, m[f])
			}
		}
		for _, f := range []string{"pid", "tid", "duration_ns", "return_code"} {
			if _, ok := m[f].(float64); !ok {
				t.Errorf("line %d: %s is %T, want number", i, f, m[f])
			}
		}
		if _, ok := m["args"].(map[string]any); !ok {
			t.Errorf("line %d: args is %T, want object", i, m["args"])
		}
	}
}

func TestNamedArgsAndPeers(t *testing.T) {
	evs := goldenEvents()
	var m []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(encodeAll(t, evs)), []byte("\n")) {
		var x map[string]any
		if err := json.Unmarshal(line, &x); err != nil {
			t.Fatal(err)
		}
		m = append(m, x)
	}
	args := func(i int) map[string]any { return m[i]["args"].(map[string]any) }
	if a := args(0); a["size"] != float64(1<<20) || a["ptr"] != "0x7f3a00000000" {
		t.Errorf("cudaMalloc args = %v", a)
	}
	if a := args(1); a["kind"] != "H2D" || a["bytes"] != float64(4<<20) || a["stream"] != "0x55d0c0ffee00" {
		t.Errorf("memcpy args = %v", a)
	}
	if a := args(3); a["cpu"] != float64(3) || a["preempted"] != true {
		t.Errorf("sched_switch args = %v", a)
	}
	if m[3]["preemptor_comm"] != "logrotate" || m[3]["preemptor_pid"] != float64(8821) || m[3]["peer_pid"] != nil {
		t.Errorf("sched_switch peer fields = %v", m[3])
	}
	if m[4]["peer_comm"] != "python3" || m[4]["preemptor_pid"] != nil {
		t.Errorf("fork peer fields = %v", m[4])
	}
	if a := args(5); a["kind"] != nil || a["arg1"] != float64(7) {
		t.Errorf("an out-of-range memcpy kind must fall back to arg1: %v", a)
	}
	if m[0]["stack_id"] != "0xdeadbeefcafef00d" || m[0]["gpu"] != float64(0) || m[0]["cgroup_id"] != float64(4242) {
		t.Errorf("optional fields = %v", m[0])
	}
	if _, ok := m[3]["gpu"]; ok {
		t.Error("gpu -1 must be omitted")
	}
	if m[6]["op"] != "cuda/op(200)" {
		t.Errorf("unknown op name = %v", m[6]["op"])
	}
}

func TestEveryRegisteredOpHasArgNames(t *testing.T) {
	for _, o := range event.Ops() {
		if _, ok := opArgs[o.Name]; !ok {
			t.Errorf("op %s has no entry in opArgs", o.Name)
		}
	}
	for name := range opArgs {
		if _, ok := event.OpByName(name); !ok {
			t.Errorf("opArgs names %s, which is not a registered op", name)
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("disk full")
}

func TestWriteErrorsAreSticky(t *testing.T) {
	fw := &failWriter{}
	enc := NewEncoder(fw)
	ev := goldenEvents()[0]
	if err := enc.Encode(&ev); err != nil {
		t.Fatalf("Encode buffers and must not fail yet: %v", err)
	}
	if err := enc.Flush(); err == nil {
		t.Fatal("Flush must report the write error")
	}
	if err := enc.Encode(&ev); err == nil || fw.n != 1 {
		t.Fatalf("after an error, Encode must fail without writing again (writes=%d)", fw.n)
	}
}

func TestEncodeWritesThroughWhenBufferFills(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	ev := goldenEvents()[0]
	for buf.Len() == 0 {
		if err := enc.Encode(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Len() < flushAt {
		t.Errorf("wrote %d bytes, want at least %d", buf.Len(), flushAt)
	}
}
