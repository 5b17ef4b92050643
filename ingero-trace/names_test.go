package trace

import (
	"testing"

	"ingero.dev/common/event"
)

// TestProcessNamedAfterMainThread: a worker thread's name stands in until
// the main thread shows; after that, worker threads (CUDA's
// "cuda00001400006") never name the process.
func TestProcessNamedAfterMainThread(t *testing.T) {
	n := newNameBook()
	n.see(&event.Event{PID: 10, TID: 11, Comm: "cuda00001400006", TimeNs: 1})
	n.see(&event.Event{PID: 10, TID: 10, Comm: "train", TimeNs: 2})
	n.see(&event.Event{PID: 10, TID: 12, Comm: "pt_autograd_0", TimeNs: 3})
	n.see(&event.Event{PID: 20, TID: 20, Comm: "train", TimeNs: 4, PeerPID: 30, PeerComm: "logrotate"})
	// Preempted by a worker thread of process 10: its comm is not 10's.
	n.see(&event.Event{PID: 20, TID: 20, Comm: "train", TimeNs: 5, PeerPID: 10, PeerComm: "cuda-EvtHandlr"})
	got := map[nameKey]int64{}
	for _, r := range n.flush() {
		got[nameKey{r.PID, r.Comm}] = r.FirstNs
	}
	want := map[nameKey]int64{{10, "cuda00001400006"}: 1, {10, "train"}: 2, {20, "train"}: 4, {30, "logrotate"}: 4}
	if len(got) != len(want) {
		t.Fatalf("names %v, want %v", got, want)
	}
	for k, first := range want {
		if got[k] != first {
			t.Errorf("%v first seen at %d, want %d (all: %v)", k, got[k], first, got)
		}
	}
}

// TestProcessRenamedAtExec: a forked child's IO before exec carries the
// parent's name, its events after exec the program's; the book keeps both,
// in the order they were seen, so readers name the process after the later.
func TestProcessRenamedAtExec(t *testing.T) {
	n := newNameBook()
	n.see(&event.Event{PID: 40, TID: 40, Comm: "ingero-trace.te", TimeNs: 1, Source: event.SourceIO})
	n.see(&event.Event{PID: 40, TID: 40, Comm: "workload", TimeNs: 2, Source: event.SourceCUDA})
	n.see(&event.Event{PID: 40, TID: 40, Comm: "workload", TimeNs: 3, Source: event.SourceIO})
	got := map[string]int64{}
	for _, r := range n.flush() {
		got[r.Comm] = r.FirstNs
	}
	if len(got) != 2 || got["ingero-trace.te"] != 1 || got["workload"] != 2 {
		t.Errorf("names of PID 40: %v, want ingero-trace.te first seen at 1, workload at 2", got)
	}
}
