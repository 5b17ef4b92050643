package trace

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
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

// TestTracePIDAndCudaLib narrows trace two ways at once: --pid picks the
// process and --cuda-lib probes only the runtime, so the workload's runtime
// calls are all recorded (launches included, counted once at the runtime)
// and its direct driver calls, whose library was left out, are not.
func TestTracePIDAndCudaLib(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	// Held before the workload starts: its timeout must not run while
	// another package's test holds the lock.
	standintest.Exclusive(t)
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
