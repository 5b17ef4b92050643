package merge

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
	"ingero.dev/common/stream"
)

const t0 = int64(1_796_000_000_000_000_000)

type result struct {
	code     int
	out, err string
}

func runMerge(t *testing.T, args ...string) result {
	t.Helper()
	return runMergeEvery(t, time.Second, args...)
}

// runMergeEvery runs merge printing progress every interval.
func runMergeEvery(t *testing.T, every time.Duration, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	stdio := cli.Stdio{In: &bytes.Buffer{}, Out: &out, Err: &errb}
	code := cli.Run(newCommand(&config{stdio: stdio, progressEvery: every}), args, stdio)
	return result{code, out.String(), errb.String()}
}

// nodeRecording is one node's recording: events of two processes (PID 100
// on every node, so that PIDs collide across nodes), a shared stack and
// one of its own, a session, snapshots, process names, a chain and an
// annotation.
type nodeRecording struct {
	node   string
	events []event.Event
}

func makeNode(node string, n int, shift int64) nodeRecording {
	var evs []event.Event
	cuda := event.Key{Source: event.SourceCUDA, Op: 1}
	for i := range n {
		pid := uint32(100)
		if i%3 == 0 {
			pid = 200
		}
		evs = append(evs, event.Event{TimeNs: t0 + shift + int64(i)*1000, PID: pid, TID: pid + uint32(i%2), Comm: "python",
			Source: cuda.Source, Op: cuda.Op, DurNs: int64(500 + i%7), Node: node, GPU: 0, StackID: uint64(1 + i%2)})
	}
	return nodeRecording{node, evs}
}

func (r nodeRecording) session() event.Session {
	return event.Session{ID: r.node + ":" + "1796000000000000000", Node: r.node, Host: r.node + "-host",
		StartNs: t0, StopNs: t0 + 1e9, ClockMonoNs: 5e9, Stats: event.SessionStats{Events: uint64(len(r.events))}}
}

func (r nodeRecording) records() ([]event.Stack, []event.Snapshot, []event.ProcessName, []event.Chain, []event.Annotation) {
	stacks := []event.Stack{{ID: 1, Frames: []event.Frame{{IP: 0x10, Symbol: "shared"}}}, {ID: 2, Frames: []event.Frame{{IP: 0x20, Symbol: "also shared"}}}}
	snaps := []event.Snapshot{{TimeNs: t0, Node: r.node, CPUPct: 50}, {TimeNs: t0 + 1e9, Node: r.node, CPUPct: 60}}
	names := []event.ProcessName{{Node: r.node, PID: 100, Comm: "python-" + r.node, FirstNs: t0, LastNs: t0 + 1}}
	chains := []event.Chain{{ID: r.node + ":cpu-preemption:cudaLaunchKernel:100", Node: r.node, DetectedNs: t0 + 5, Severity: event.SeverityHigh,
		Rule: "cpu-preemption", PID: 100, Summary: "preempted on " + r.node}}
	// Written without a node, as a v1 recording holds them: merge gives
	// them the input's one node.
	anns := []event.Annotation{{TimeNs: t0 + 7, PID: 100, Labels: map[string]string{"req": r.node}}}
	return stacks, snaps, names, chains, anns
}

func writeDB(t *testing.T, r nodeRecording) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), r.node+".db")
	w, err := store.OpenWriter(path, store.Options{FlushInterval: -1, ChunkEvents: 64})
	must(t, err)
	must(t, w.BeginSession(r.session()))
	must(t, w.Append(r.events))
	stacks, snaps, names, chains, anns := r.records()
	must(t, w.PutStacks(stacks))
	must(t, w.PutSnapshots(snaps))
	must(t, w.PutProcessNames(names))
	must(t, w.PutChains(chains))
	must(t, w.PutAnnotations(anns))
	must(t, w.EndSession(r.session().ID, t0+1e9, r.session().Stats))
	must(t, w.Close())
	return path
}

func writeStream(t *testing.T, r nodeRecording) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), r.node+".stream")
	f, err := os.Create(path)
	must(t, err)
	defer f.Close()
	ses := r.session()
	w, err := stream.NewWriter(f, stream.HeaderFromSession(ses))
	must(t, err)
	must(t, w.WriteEvents(r.events))
	stacks, snaps, names, chains, anns := r.records()
	must(t, w.WriteStacks(stacks))
	must(t, w.WriteSnapshots(snaps))
	must(t, w.WriteProcessNames(names))
	must(t, w.WriteChains(chains))
	must(t, w.WriteAnnotations(anns))
	must(t, w.Close(ses.Stats, t0+1e9))
	return path
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openOut(t *testing.T, path string) *store.Reader {
	t.Helper()
	r, err := store.OpenReadOnly(path)
	must(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

func queryInt(t *testing.T, r *store.Reader, sql string, args ...any) int64 {
	t.Helper()
	res, err := r.Query(context.Background(), 0, sql, args...)
	must(t, err)
	if len(res.Rows) != 1 {
		t.Fatalf("%s: %d rows", sql, len(res.Rows))
	}
	v, _ := res.Rows[0][0].(int64)
	return v
}
