package trace

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
)

// A CUDA graph's whole life under the real trace: every capture,
// instantiation and launch is recorded once with its handles, and the real
// explain names the broken captures, the capture OOM, the executable never
// launched and the re-capture.
func TestGraphLifecycleRecordedAndExplained(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "graph.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	// 20 ms per instantiation: the re-capture phase launches at most 100/s
	// against thousands before it, however loaded the machine.
	env := []string{"STANDIN_GRAPH_NS=20000000"}
	c := runTraced(t, tr, art, env, "--pattern", "graph-life", "--iterations", "1")
	tr.stop()
	// The live view's last frame (plain: stdout is no terminal) has the
	// graph section filled.
	tr.mu.Lock()
	view := tr.stdout.String()
	tr.mu.Unlock()
	frame := view[max(strings.LastIndex(view, "--- ingero trace"), 0):]
	for _, op := range []string{"cudaStreamBeginCapture", "cudaGraphInstantiate", "cudaGraphLaunch", "cuGraphLaunch"} {
		if !strings.Contains(frame, "ops "+op+" section=graph ") {
			t.Errorf("the view's last frame has no graph row for %s:\n%s", op, frame)
		}
	}
	evs, _ := eventsOf(t, db, uint32(c.PID))
	got := map[event.Op]uint64{}
	execs := map[uint64]bool{}
	for _, e := range evs {
		if e.Source != event.SourceGraph {
			continue
		}
		got[e.Op]++
		switch e.Op {
		case event.GraphEndCapture:
			if (e.Ret == 0) != (e.Args[1] != 0) {
				t.Errorf("cudaStreamEndCapture ret %d with graph %#x", e.Ret, e.Args[1])
			}
		case event.GraphInstantiate:
			if e.Args[0] == 0 || e.Args[1] == 0 {
				t.Errorf("cudaGraphInstantiate without handles: %v", e.Args)
			}
			execs[e.Args[1]] = true
		case event.GraphLaunch, event.GraphCuLaunch:
			if !execs[e.Args[0]] {
				t.Fatalf("%s of exec %#x, never instantiated", e.OpName(), e.Args[0])
			}
		}
	}
	want := map[event.Op]uint64{
		event.GraphBeginCapture: c.Calls["cudaStreamBeginCapture"],
		event.GraphEndCapture:   c.Calls["cudaStreamEndCapture"],
		event.GraphInstantiate:  c.Calls["cudaGraphInstantiate"] + c.Calls["cudaGraphInstantiateWithFlags"],
		event.GraphLaunch:       c.Calls["cudaGraphLaunch"],
		event.GraphCuLaunch:     c.Calls["cuGraphLaunch"],
	}
	for op, n := range want {
		if got[op] != n || n == 0 {
			t.Errorf("%s recorded %d times, the workload called it %d times", event.OpName(event.SourceGraph, op), got[op], n)
		}
	}
	rules := map[string]bool{}
	for _, ch := range chainsOf(t, db, c.PID) {
		rules[ch.Rule] = true
	}
	for _, r := range []string{"graph-capture-oom", "graph-capture-warmup", "graph-never-launched", "graph-recapture"} {
		if !rules[r] {
			t.Errorf("explain has no %s chain", r)
		}
	}
}

// Two ranks of one communicator, rank 1 slowed by 15 ms a step: every
// all-reduce is recorded with its rank, nranks and the same communicator
// hash on both sides, and explain names rank 1 the straggler.
func TestNCCLStragglerNamed(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "nccl.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id := fmt.Sprintf("e2e-%d", time.Now().UnixNano())
	var pids []int
	var waits []func() error
	var runs []interface{ Release() error }
	for rank := range 2 {
		env := []string{"STANDIN_NCCL_ID=" + id, "STANDIN_NCCL_RANK=" + strconv.Itoa(rank), "STANDIN_NCCL_NRANKS=2",
			"STANDIN_NCCL_SLOW_RANK=1", "STANDIN_NCCL_SLOW_NS=15000000"}
		run, err := art.Start(ctx, env, "--pattern", "nccl-ranks", "--iterations", "40", "--comm", fmt.Sprintf("rank%d", rank))
		if err != nil {
			t.Fatal(err)
		}
		tr.waitLine(fmt.Sprintf("tracing PID %d ", run.PID()), 10*time.Second)
		tr.waitLine("libnccl.so.2", 10*time.Second)
		pids = append(pids, run.PID())
		runs = append(runs, run)
		waits = append(waits, func() error { _, err := run.Wait(); return err })
	}
	for _, r := range runs {
		if err := r.Release(); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range waits {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	tr.stop()
	hashes := map[uint64]bool{}
	for rank, pid := range pids {
		evs, _ := eventsOf(t, db, uint32(pid))
		var reduces, inits int
		for _, e := range evs {
			switch {
			case e.Source == event.SourceNCCL && e.Op == event.NCCLAllReduce:
				reduces++
				hashes[e.Args[1]] = true
				if int(uint32(e.Args[3])) != rank || e.Args[3]>>32 != 2 || e.Args[0] != 4<<20 {
					t.Fatalf("rank %d: ncclAllReduce args %v, want 4 MiB, rank %d of 2", rank, e.Args, rank)
				}
			case e.Source == event.SourceNCCL && e.Op == event.NCCLCommInitRank:
				inits++
				hashes[e.Args[2]] = true
			}
		}
		if reduces != 40 || inits != 1 {
			t.Errorf("rank %d: %d all-reduces and %d inits recorded, want 40 and 1", rank, reduces, inits)
		}
	}
	if len(hashes) != 1 || hashes[0] {
		t.Errorf("communicator hashes %v, want one, the same on both ranks", hashes)
	}
	for _, ch := range chainsOf(t, db) {
		if ch.Rule == "nccl-barrier-wait" {
			if int(ch.PID) != pids[1] || ch.Evidence["straggler_rank"] != float64(1) {
				t.Errorf("barrier wait names PID %d rank %v, want PID %d rank 1", ch.PID, ch.Evidence["straggler_rank"], pids[1])
			}
			return
		}
	}
	t.Error("explain has no nccl-barrier-wait chain")
}

// Graph replays on a CPU that a busy "logrotate" shares: the launches it
// preempts take a time slice instead of 200 µs, and explain says so,
// naming it.
func TestGraphLaunchesUnderCPUContention(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "graph-cpu.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	startBusy(t, art, "logrotate", 0)
	env := []string{"STANDIN_LAUNCH_NS=200000"}
	c := runTraced(t, tr, art, env, "--pattern", "graph", "--duration", "3s", "--cpu", "0")
	tr.stop()
	for _, ch := range chainsOf(t, db, c.PID) {
		if ch.Rule == "graph-launch-cpu-contention" {
			if !strings.Contains(ch.Summary, "logrotate") {
				t.Errorf("the chain does not name logrotate: %s", ch.Summary)
			}
			return
		}
	}
	t.Error("explain has no graph-launch-cpu-contention chain")
}
