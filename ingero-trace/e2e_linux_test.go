package trace

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
	"ingero.dev/common/ndjson"
	"ingero.dev/common/recording"
	"ingero.dev/common/store"
)

func eventsOf(t *testing.T, path string, pid uint32) ([]event.Event, *recording.Recording) {
	t.Helper()
	rec, err := recording.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rec.Close() })
	var evs []event.Event
	err = rec.Events(context.Background(), store.Filter{PIDs: []uint32{pid}}, func(e *event.Event) error {
		evs = append(evs, *e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, rec
}

// TestTraceRecordsWorkloadExactly is the heart of the product: trace finds
// the workload on its own, and what it recorded equals what the workload
// did, call for call, in the database and in the stream alike.
func TestTraceRecordsWorkloadExactly(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	dir := t.TempDir()
	db, streamFile := filepath.Join(dir, "t.db"), filepath.Join(dir, "t.stream")
	tr := startTrace(t, "-d", db, "--stream", streamFile, "--node", "e2e-node")
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	assertBatchPolicy(t, tr.cmd.Process.Pid)
	// The workload also reads its CPU clock, for assertDurations.
	counts := runTraced(t, tr, art, []string{standin.CPUTimeEnv + "=1"}, "--pattern", "basic", "--iterations", "10")
	tr.stop()
	want := wantCounts(counts)
	pid := uint32(counts.PID)

	evs, rec := eventsOf(t, db, pid)
	assertSameCounts(t, "database", want, gotCounts(evs))
	assertDurations(t, counts, evs)
	assertPairs(t, evs)
	assertNames(t, rec, pid, evs)
	sessions, err := rec.Sessions()
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions = %v, %v", sessions, err)
	}
	s := sessions[0]
	if s.StopNs == 0 || s.Stats.Events == 0 || s.Stats.KernelDrops != 0 || s.Stats.UserDrops != 0 || s.ClockMonoNs == 0 {
		t.Errorf("session row = %+v", s)
	}

	assertNoHighChainButContention(t, db, pid, evs)
	sevs, _ := eventsOf(t, streamFile, pid)
	assertSameCounts(t, "stream", want, gotCounts(sevs))
	if !strings.Contains(tr.stderr(), "lost: 0 dropped in the kernel, 0 in user space") {
		t.Errorf("exit summary does not report the loss counts:\n%s", tr.stderr())
	}
}

// TestTraceJSONLines checks the NDJSON interface: one decodable event per
// line, every call of the workload present.
func TestTraceJSONLines(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	tr := startTrace(t, "--json", "--record=false")
	tr.waitLine("ingero trace: watching", 20*time.Second)
	counts := runTraced(t, tr, art, nil, "--pattern", "basic", "--iterations", "3")
	tr.stop()
	var evs []event.Event
	sc := bufio.NewScanner(strings.NewReader(tr.stdout.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		e, err := ndjson.Decode(sc.Bytes())
		if err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if e.PID == uint32(counts.PID) {
			evs = append(evs, e)
		}
	}
	assertSameCounts(t, "json", wantCounts(counts), gotCounts(evs))
}

// TestTraceNamesContendingProcess plants CPU contention: a busy process
// called logrotate pinned to the workload's CPU. The record must name it,
// both on the workload's off-CPU intervals and in the per-second summary.
func TestTraceNamesContendingProcess(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "c.db")
	tr := startTrace(t, "-d", db)
	tr.waitLine("ingero trace: watching", 20*time.Second)
	cpu := 0
	startBusy(t, art, "logrotate", cpu)
	counts := runTraced(t, tr, art, nil, "--pattern", "sync-heavy", "--duration", "1500ms", "--cpu", strconv.Itoa(cpu))
	time.Sleep(1200 * time.Millisecond) // one more contention summary
	tr.stop()
	evs, rec := eventsOf(t, db, uint32(counts.PID))
	chains, err := rec.Chains(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var named bool
	for _, c := range chains {
		t.Logf("live chain: [%s] %s: %s", c.Severity, c.Summary, c.RootCause)
		named = named || strings.Contains(c.RootCause, "logrotate")
	}
	if !named {
		t.Errorf("no chain stored live names logrotate (%d chains)", len(chains))
	}
	rep := explain(t, "-d", db, "--since", "10m")
	if !strings.Contains(rep, "Root cause: logrotate") {
		t.Errorf("ingero explain does not name logrotate as the root cause:\n%s", rep)
	}
	var preempted, summarised int
	for _, e := range evs {
		if e.Source != event.SourceHost || e.PeerComm != "logrotate" {
			continue
		}
		switch e.Op {
		case event.SchedSwitch:
			preempted++
		case event.CPUContention:
			summarised++
		}
	}
	if preempted == 0 || summarised == 0 {
		t.Fatalf("logrotate named on %d sched_switch and %d cpu_contention events of the workload, want both > 0", preempted, summarised)
	}
}

func startBusy(t *testing.T, art *standin.Artifacts, comm string, cpu int) {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "busy-ready")
	cmd := exec.Command(art.Busy, "--comm", comm, "--cpu", strconv.Itoa(cpu), "--duration", "30s", "--ready-file", ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(ready); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("busy never became ready")
}

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

// TestTracePIDAndCudaLib narrows trace two ways at once: --pid picks the
// process and --cuda-lib probes only the runtime, so the workload's runtime
// calls are all recorded (launches included, counted once at the runtime)
// and its direct driver calls, whose library was left out, are not.
func TestTracePIDAndCudaLib(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := art.Start(ctx, nil, "--pattern", "basic", "--iterations", "4")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "p.db")
	tr := startTrace(t, "-d", db, "--pid", strconv.Itoa(run.PID()), "--cuda-lib", art.Runtime)
	tr.waitLine("tracing PID "+strconv.Itoa(run.PID())+" ", 20*time.Second)
	if err := run.Release(); err != nil {
		t.Fatal(err)
	}
	counts, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	tr.stop()
	want := map[string]uint64{}
	for op, n := range wantCounts(counts) {
		if oi, _ := event.OpByName(op); oi.Source == event.SourceCUDA {
			want[op] = n
		}
	}
	evs, _ := eventsOf(t, db, uint32(counts.PID))
	assertSameCounts(t, "runtime only", want, gotCounts(evs))
	if strings.Contains(tr.stderr(), "probing "+art.Driver) {
		t.Errorf("--cuda-lib %s also probed the driver:\n%s", art.Runtime, tr.stderr())
	}
}

// TestTraceRefusesMissingPID: a --pid that does not exist is an error the
// user can act on, not a silent empty trace.
func TestTraceRefusesMissingPID(t *testing.T) {
	standintest.RequireBPF(t)
	tr := startTrace(t, "--pid", "999999999", "--record=false")
	<-tr.done
	err := tr.cmd.Wait()
	if err == nil || !strings.Contains(tr.stderr(), "no such process") {
		t.Fatalf("exit %v, stderr:\n%s", err, tr.stderr())
	}
}
