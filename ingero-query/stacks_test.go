package query

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/recording/recordingtest"
	"ingero.dev/common/stream"
)

// stackFixture: syncs from two Python lines of one script, one through
// two native paths, and a launch without a stack.
func stackFixture() recordingtest.Recording {
	py := func(line int, fn string) event.Frame {
		return event.Frame{Symbol: fn, File: "/w/train.py", Line: line, Lang: event.LangPython}
	}
	rt := event.Frame{IP: 0x10, Symbol: "cudaStreamSynchronize", Module: "libcudart.so.12"}
	stacks := []event.Stack{
		{ID: 0xa1, Frames: []event.Frame{rt, py(42, "step"), py(90, "main")}},
		{ID: 0xa2, Frames: []event.Frame{rt, {IP: 0x20, Module: "_ctypes.so"}, py(42, "step"), py(90, "main")}},
		{ID: 0xb1, Frames: []event.Frame{rt, py(57, "save"), py(91, "main")}},
	}
	var evs []event.Event
	add := func(d time.Duration, stack uint64, op event.Op, dur int64) {
		evs = append(evs, event.Event{TimeNs: at(d), PID: 4821, TID: 4821, Comm: "python3", Source: event.SourceCUDA,
			Op: op, DurNs: dur, StackID: stack, Node: "gpu-node-07", GPU: 0})
	}
	for i := range 6 {
		add(time.Duration(i)*time.Second, []uint64{0xa1, 0xa2}[i%2], event.CudaStreamSynchronize, 1_000_000)
	}
	add(10*time.Second, 0xb1, event.CudaStreamSynchronize, 50_000_000)
	add(11*time.Second, 0, event.CudaLaunchKernel, 0)
	return recordingtest.Recording{Events: evs, Stacks: stacks,
		Header: stream.Header{SessionID: "gpu-node-07:1", Node: "gpu-node-07", StartNs: at(-time.Hour)}, StopNs: now.UnixNano()}
}

func TestStacksRankCallSites(t *testing.T) {
	for _, path := range []string{recordingtest.WriteDB(t, stackFixture()), recordingtest.WriteStream(t, stackFixture())} {
		r := run(t, "-d", path, "--stacks")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.err)
		}
		want := "CALLS  TOTAL  MAX   OPS                    CALL SITE\n" +
			"1      50ms   50ms  cudaStreamSynchronize  train.py:57 (save)\n" +
			"6      6ms    1ms   cudaStreamSynchronize  train.py:42 (step)\n" +
			"2 call sites of 7 events with a stack (1 more without one: host and IO events, or recorded without --stack)\n"
		if r.out != want {
			t.Errorf("%s:\n%s\nwant:\n%s", path, r.out, want)
		}
		r = run(t, "-d", path, "--stacks", "--json", "--limit", "1")
		var got siteJSON
		if err := json.Unmarshal([]byte(r.out), &got); err != nil || strings.Count(r.out, "\n") != 1 {
			t.Fatalf("--json: %q, %v", r.out, err)
		}
		if got.File != "/w/train.py" || got.Line != 57 || got.Function != "save" || got.Lang != "python" || got.StackID != "0xb1" {
			t.Errorf("--json: %+v", got)
		}
	}
	r := run(t, "-d", writeFixtureDB(t), "--stacks", "--op", "cudaMalloc")
	if r.code != 0 || !strings.Contains(r.out, "record with 'ingero trace --stack'") {
		t.Errorf("no stacks stored: exit %d, %q", r.code, r.out)
	}
}
