package fleete2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// t0 is when every fixture recording starts; they are finished
// recordings, so each dashboard's window ends at its own last event.
var t0 = time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC)

const trainPID = 4821

// recording is one node's fixture: a training loop of span, 40 steps a
// second, each 4 launches and a stream sync of syncNs (plus a
// deterministic spread), a contention chain every node shares, and a
// preemption chain on the straggler.
type recording struct {
	node      string
	span      time.Duration
	syncNs    int64
	straggler bool
	events    []event.Event
	chains    []event.Chain
}

func newRecording(node string, span time.Duration, syncNs int64, straggler bool) *recording {
	r := &recording{node: node, span: span, syncNs: syncNs, straggler: straggler}
	i := int64(0)
	for step := time.Duration(0); step < span; step += 25 * time.Millisecond {
		t := t0.Add(step).UnixNano()
		for k := range 4 {
			r.events = append(r.events, event.Event{TimeNs: t + int64(k)*5000, PID: trainPID, TID: trainPID, Comm: "python3",
				Source: event.SourceCUDA, Op: event.CudaLaunchKernel, Node: node, GPU: 0})
		}
		r.events = append(r.events, event.Event{TimeNs: t + 100_000, PID: trainPID, TID: trainPID, Comm: "python3",
			Source: event.SourceCUDA, Op: event.CudaStreamSynchronize, DurNs: syncNs + (i%10)*syncNs/20, Node: node, GPU: 0})
		i++
	}
	r.chains = []event.Chain{{
		ID: node + ":gpu-contention::0", Node: node, DetectedNs: t0.Add(span / 2).UnixNano(), Severity: event.SeverityLow,
		Rule: "gpu-contention", Summary: "2 processes share GPU 0",
		RootCause: "python3 (4821) and embedding-svc (5032) both launch kernels on GPU 0", Fix: "Give each process its own GPU, or use MPS",
	}}
	if straggler {
		r.chains = append(r.chains, event.Chain{
			ID: node + ":cpu-preemption:cudaStreamSynchronize:4821", Node: node, DetectedNs: t0.Add(span - time.Second).UnixNano(),
			Severity: event.SeverityHigh, Rule: "cpu-preemption", Op: "cudaStreamSynchronize", PID: trainPID,
			Summary:   fmt.Sprintf("cudaStreamSync p99=%s - CPU contention", time.Duration(syncNs)),
			RootCause: "logrotate (PID 8821) preempted the training process 297 times", Fix: "nice -n 19 logrotate",
			Timeline: []event.TimelineEntry{{TimeNs: t0.Add(span - 2*time.Second).UnixNano(), Layer: "HOST", Detail: "sched_switch: logrotate preempted 4821"}},
		})
	}
	return r
}

// syncs is how many stream syncs the recording holds.
func (r *recording) syncs() int {
	n := 0
	for _, e := range r.events {
		if e.Op == event.CudaStreamSynchronize {
			n++
		}
	}
	return n
}

// write stores the recording as trace would and returns its path.
func (r *recording) write(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), r.node+".db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	sess := event.Session{ID: r.node + ":1", Node: r.node, Host: r.node, StartNs: t0.UnixNano(), StopNs: t0.Add(r.span).UnixNano(),
		Version: "test", Flags: map[string]string{}, PIDFilter: []uint32{}, Stats: event.SessionStats{Events: uint64(len(r.events))}}
	must(t, w.BeginSession(sess))
	must(t, w.Append(r.events))
	must(t, w.PutChains(r.chains))
	must(t, w.EndSession(sess.ID, sess.StopNs, sess.Stats))
	must(t, w.Close())
	return path
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
