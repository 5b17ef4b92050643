package trace

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin"
	"ingero.dev/common/event"
	"ingero.dev/common/recording"
)

// assertBatchPolicy: every thread of trace runs SCHED_BATCH, so that its
// wakeups never preempt the workload it records (see yieldToWorkloads).
func assertBatchPolicy(t *testing.T, pid int) {
	t.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			continue // exited
		}
		// Field 41 of stat is the policy; fields count from 3 after the
		// parenthesised comm.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 39 || f[38] != "3" {
			t.Errorf("trace's thread %s runs policy %v, want 3 (SCHED_BATCH)", task.Name(), f[min(38, len(f)-1)])
		}
	}
}

// assertNames checks that every event carries the node and the name its
// process had when it happened (docs/events.md, "Names"). The workload is a
// fork of this test binary that then runs exec: what its PID did before the
// exec (the kernel reading the program from disk, when it is not cached)
// carries this binary's name; from the exec on, "workload". The process
// table keeps both, and the later one names the process.
func assertNames(t *testing.T, rec *recording.Recording, pid uint32, evs []event.Event) {
	t.Helper()
	self, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	parent := strings.TrimSuffix(string(self), "\n")
	firstCall, lastParent := int64(math.MaxInt64), int64(math.MinInt64)
	for _, e := range evs {
		if e.Node != "e2e-node" {
			t.Fatalf("event not tagged with node e2e-node: %+v", e)
		}
		cuda := e.Source == event.SourceCUDA || e.Source == event.SourceDriver
		switch {
		case e.Comm == "workload":
			if cuda {
				firstCall = min(firstCall, e.TimeNs)
			}
		case e.Comm == parent && !cuda:
			lastParent = max(lastParent, e.TimeNs)
		default:
			t.Fatalf("event named %q, want %q (or, before exec, %q): %+v", e.Comm, "workload", parent, e)
		}
	}
	if lastParent >= firstCall {
		t.Errorf("an event named %q (the name before exec) at %d, after the first CUDA call at %d", parent, lastParent, firstCall)
	}
	names, err := rec.ProcessNames()
	if err != nil {
		t.Fatal(err)
	}
	var last event.ProcessName
	for _, n := range names {
		if n.PID == pid && n.Node == "e2e-node" && n.FirstNs >= last.FirstNs {
			last = n
		}
	}
	if last.Comm != "workload" {
		t.Errorf("process table names PID %d %q last (all: %+v), want workload", pid, last.Comm, names)
	}
}

// assertNoHighChainButContention: nothing was planted, so explain must not
// raise a HIGH chain about the workload, save one: CPU contention trace saw
// happen. Other packages' tests and builds share the machine, and when they
// keep the workload off the CPU, a HIGH cpu-preemption chain naming one of
// them is the truth; any other HIGH chain is a false alarm.
func assertNoHighChainButContention(t *testing.T, db string, pid uint32, evs []event.Event) {
	t.Helper()
	preemptors := map[string]bool{}
	for _, e := range evs {
		if e.Source == event.SourceHost && e.Op == event.SchedSwitch && e.Args[1] == 1 && e.PeerPID != pid {
			preemptors[e.PeerComm] = true
		}
	}
	var rep struct {
		Chains []struct {
			Severity, Rule, Summary string
			RootCause               string `json:"root_cause"`
		}
	}
	out := explain(t, "-d", db, "--since", "10m", "--pid", strconv.Itoa(int(pid)), "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("explain --json: %v\n%s", err, out)
	}
	for _, c := range rep.Chains {
		if c.Severity != "HIGH" {
			continue
		}
		named := false
		for comm := range preemptors {
			named = named || strings.HasPrefix(c.RootCause, comm+" (PID ")
		}
		if c.Rule != "cpu-preemption" || !named {
			t.Errorf("a clean run got a HIGH %s chain (processes seen preempting it: %v): %s: %s",
				c.Rule, slices.Sorted(maps.Keys(preemptors)), c.Summary, c.RootCause)
		}
	}
}

// probeSlack bounds, per call, the CPU time the workload spends inside a
// call but outside the probes' window: the trap into the entry uprobe before
// it reads the clock, the return probe's trap after, the call's PLT jump and
// the workload's own CPU-clock system calls. Measured on the dev VM: CPU
// time exceeds the record by 2-4 µs a call where nothing preempted the
// workload; the bound is over ten times that.
const probeSlack = 50 * time.Microsecond

// assertDurations checks the recorded time of each op against the
// workload's two clocks. The probes' window lies inside the workload's wall
// window around the call (entry after its first clock read, return before
// its second), so the record never exceeds the wall time, not by one
// nanosecond. Below, the record holds at least the CPU time the thread spent
// inside the call, less probeSlack per call. Wall time is no lower bound: a
// preemption just outside the probe window (a loaded machine takes the CPU
// for whole scheduler slices) counts in the workload's measure only.
func assertDurations(t *testing.T, c *standin.Counts, evs []event.Event) {
	t.Helper()
	if len(c.CPUNs) == 0 {
		t.Fatalf("the workload counted no CPU time: was it run with %s=1?", standin.CPUTimeEnv)
	}
	type clocks struct{ wall, cpu, calls uint64 }
	measured := map[string]*clocks{}
	for fn, n := range c.Calls {
		k, ok := standin.EventOp(fn)
		if !ok {
			continue
		}
		op := event.OpName(k.Source, k.Op)
		if measured[op] == nil {
			measured[op] = &clocks{}
		}
		measured[op].wall += c.BusyNs[fn]
		measured[op].cpu += c.CPUNs[fn]
		measured[op].calls += n
	}
	recorded := map[string]int64{}
	for _, e := range evs {
		if e.Source != event.SourceCUDA && e.Source != event.SourceDriver {
			continue
		}
		if oi, ok := event.LookupOp(e.Source, e.Op); ok && oi.Class != event.ClassLaunch {
			recorded[oi.Name] += e.DurNs
		}
	}
	if len(recorded) == 0 {
		t.Fatal("no timed CUDA call recorded")
	}
	for op, got := range recorded {
		m := measured[op]
		if m == nil {
			t.Errorf("%s: recorded %v, the workload never called it", op, time.Duration(got))
			continue
		}
		floor := int64(m.cpu) - int64(m.calls)*int64(probeSlack)
		if got > int64(m.wall) || got < floor {
			t.Errorf("%s: recorded %v in %d calls; the workload measured %v wall, %v on a CPU (want the record within [cpu - %v a call, wall])",
				op, time.Duration(got), m.calls, time.Duration(m.wall), time.Duration(m.cpu), probeSlack)
		}
	}
}

// assertPairs checks that every free names the size its allocation had,
// which trace can only know by pairing the two by pointer.
func assertPairs(t *testing.T, evs []event.Event) {
	t.Helper()
	sizes := map[uint64]uint64{}
	frees := 0
	for _, e := range evs {
		oi, _ := event.LookupOp(e.Source, e.Op)
		switch {
		case oi.Class == event.ClassAlloc && e.Ret == 0:
			sizes[e.Args[1]] = e.Args[0]
		case oi.Class == event.ClassFree && e.Args[0] != 0:
			frees++
			if want := sizes[e.Args[0]]; want == 0 || e.Args[1] != want {
				t.Errorf("%s of %#x: freed size %d, allocated %d", oi.Name, e.Args[0], e.Args[1], want)
			}
		}
	}
	if frees == 0 {
		t.Error("no frees recorded")
	}
}
