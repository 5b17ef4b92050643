package export

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"ingero.dev/common/cli"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

const t0 = int64(1_796_000_000_000_000_000)

type result struct {
	code     int
	out, err string
}

func runExport(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	stdio := cli.Stdio{In: &bytes.Buffer{}, Out: &out, Err: &errb}
	code := cli.Run(New(stdio), args, stdio)
	return result{code, out.String(), errb.String()}
}

func op(name string) (event.Source, event.Op) {
	oi, ok := event.OpByName(name)
	if !ok {
		panic(name)
	}
	return oi.Source, oi.Op
}

func ev(node string, pid, tid uint32, at int64, name string, dur int64, args ...uint64) event.Event {
	src, o := op(name)
	e := event.Event{TimeNs: t0 + at, PID: pid, TID: tid, Comm: "python", Source: src, Op: o, DurNs: dur, Node: node, GPU: 0}
	copy(e.Args[:], args)
	return e
}

// fixture is a two-node recording in which both nodes have a PID 100.
type fixture struct {
	path      string
	events    []event.Event
	snapshots int
	chains    []event.Chain
	flows     int
}

func (f *fixture) slicesAndInstants() (slices, instants int) {
	for _, e := range f.events {
		if e.DurNs > 0 {
			slices++
		} else {
			instants++
		}
	}
	return slices, instants + len(f.chains)
}

func writeFixture(t *testing.T) *fixture {
	t.Helper()
	const us = 1000
	switchOut := ev("node-a", 100, 101, 30*us, "sched_switch", 1000*us, 3, 1, 5)
	switchOut.PeerPID, switchOut.PeerComm = 4711, "logrotate"
	malloc := ev("node-a", 100, 100, 300*us, "cudaMalloc", 5*us, 1<<20)
	malloc.Ret, malloc.StackID = 2, 0xfeedface
	f := &fixture{events: []event.Event{
		ev("node-a", 100, 100, 0, "cudaLaunchKernel", 0, 0xabc, 7),
		ev("node-a", 100, 100, 10*us, "cudaLaunchKernel", 0, 0xabc, 7),
		ev("node-a", 100, 100, 20*us, "cudaStreamSynchronize", 50*us, 7), // waited for the second launch
		switchOut,
		ev("node-a", 100, 100, 100*us, "cuLaunchKernel", 0, 0xdef, 9),
		ev("node-a", 100, 100, 200*us, "cudaDeviceSynchronize", 10*us), // waited for stream 9
		malloc,
		ev("node-a", 100, 100, 400*us, "cudaLaunchKernel", 0, 0xabc, 11), // never waited for
		ev("node-b", 100, 100, 5*us, "cudaMemcpy", 80*us, 4096, 1),
		ev("node-b", 100, 100, 150*us, "ncclAllReduce", 40*us, 1<<20, 1, 7),
	}, flows: 2}
	f.chains = []event.Chain{
		{ID: "node-a:cpu-preemption:cudaStreamSynchronize:100", Node: "node-a", DetectedNs: t0 + 500*us, Severity: event.SeverityHigh,
			Rule: "cpu-preemption", Op: "cudaStreamSynchronize", PID: 100, Summary: "logrotate preempted python", RootCause: "logrotate", Fix: "move it"},
		{ID: "node-b:memory::0", Node: "node-b", DetectedNs: t0 + 600*us, Severity: event.SeverityMedium, Rule: "memory", Summary: "swap in use"},
	}
	f.path = filepath.Join(t.TempDir(), "cluster.db")
	w, err := store.OpenWriter(f.path, store.Options{FlushInterval: -1})
	must(t, err)
	must(t, w.Append(f.events))
	must(t, w.PutChains(f.chains))
	must(t, w.PutStacks([]event.Stack{{ID: 0xfeedface, Frames: []event.Frame{
		{IP: 0x10, Symbol: "cudaMalloc", Module: "libcudart.so.12"},
		{Symbol: "load_model", File: "/w/train.py", Line: 12, Lang: event.LangPython},
	}}}))
	var snaps []event.Snapshot
	for _, n := range []string{"node-a", "node-b"} {
		for i := range 3 {
			snaps = append(snaps, event.Snapshot{TimeNs: t0 + int64(i)*1e9, Node: n, CPUPct: 40 + float64(i), MemPct: 50, MemAvailMB: 1000, Load1: 1.5})
		}
	}
	f.snapshots = len(snaps)
	must(t, w.PutSnapshots(snaps))
	must(t, w.PutProcessNames([]event.ProcessName{{Node: "node-a", PID: 100, Comm: "trainer"}, {Node: "node-b", PID: 100, Comm: "server"}}))
	must(t, w.Close())
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return b
}
