package callsite

import (
	"context"
	"path/filepath"
	"testing"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// TestTopRanksByTimeThenCalls: two stacks through one Python line count as
// one site; a native site without Python frames is named by its own line;
// a stack with nothing symbolic and an event without a stack count apart.
func TestTopRanksByTimeThenCalls(t *testing.T) {
	py := func(line int) event.Frame {
		return event.Frame{Symbol: "step", File: "/w/train.py", Line: line, Lang: event.LangPython}
	}
	rt := event.Frame{IP: 0x10, Symbol: "cudaStreamSynchronize", Module: "libcudart.so.12"}
	stacks := []event.Stack{
		{ID: 1, Frames: []event.Frame{rt, {IP: 0x20, Module: "libffi.so"}, py(42)}},
		{ID: 2, Frames: []event.Frame{rt, {IP: 0x30, Module: "_ctypes.so"}, py(42)}},
		{ID: 3, Frames: []event.Frame{rt, {IP: 0x40, Symbol: "loop", File: "/src/app.c", Line: 7, Module: "app"}}},
		{ID: 4, Frames: []event.Frame{{IP: 0x50}}},
	}
	var evs []event.Event
	add := func(n int, stack uint64, dur int64) {
		for range n {
			evs = append(evs, event.Event{TimeNs: int64(len(evs) + 1), PID: 1, TID: 1, Source: event.SourceCUDA,
				Op: event.CudaStreamSynchronize, DurNs: dur, StackID: stack, GPU: -1})
		}
	}
	add(3, 1, 100)
	add(2, 2, 100)
	add(10, 3, 10)
	add(4, 4, 1000)
	add(5, 0, 1000)
	path := filepath.Join(t.TempDir(), "t.db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(evs); err != nil {
		t.Fatal(err)
	}
	if err := w.PutStacks(stacks); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := store.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	top, c, err := Of(context.Background(), r, store.Filter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 2 {
		t.Fatalf("top = %+v", top)
	}
	if top[0].Site != "train.py:42 (step)" || top[0].Calls != 5 || top[0].TotalNs != 500 || top[0].StackID != 1 {
		t.Errorf("first = %+v", top[0])
	}
	if top[1].Site != "app.c:7 (loop)" || top[1].Calls != 10 || top[1].Ops[0] != "cudaStreamSynchronize" {
		t.Errorf("second = %+v", top[1])
	}
	if c.Stacked != 19 || c.Unstacked != 5 {
		t.Errorf("stacked %d, unstacked %d", c.Stacked, c.Unstacked)
	}
}
