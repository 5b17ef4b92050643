package host

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"ingero.dev/bpf/internal/testenv"
	"ingero.dev/bpf/shared"
	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/bpf/sysreq"
	"ingero.dev/common/event"
)

type harness struct {
	t    *testing.T
	maps *shared.Maps
	tr   *Tracer

	mu     sync.Mutex
	events []event.Event
	closed bool
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	testenv.RequireBPF(t)
	if err := sysreq.Prepare(); err != nil {
		t.Fatal(err)
	}
	m, err := shared.New()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Load(m, opts)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	h := &harness{t: t, maps: m, tr: tr}
	t.Cleanup(func() { h.close(); m.Close() })
	if _, err := tr.Attach(); err != nil {
		t.Fatal(err)
	}
	tr.Start(func(b []event.Event) {
		h.mu.Lock()
		h.events = append(h.events, b...)
		h.mu.Unlock()
	})
	return h
}

func (h *harness) close() {
	h.mu.Lock()
	closed := h.closed
	h.closed = true
	h.mu.Unlock()
	if !closed {
		if err := h.tr.Close(); err != nil {
			h.t.Errorf("closing: %v", err)
		}
	}
}

// all returns every event, after detaching and draining.
func (h *harness) all() []event.Event {
	h.close()
	return h.events
}

// startBusy runs the stand-in CPU burner under comm, pinned to cpu.
func startBusy(t *testing.T, art *standin.Artifacts, comm string, cpu int) {
	t.Helper()
	standintest.Exclusive(t)
	ready := filepath.Join(t.TempDir(), "busy-ready")
	cmd := exec.Command(art.Busy, "--comm", comm, "--cpu", strconv.Itoa(cpu), "--duration", "30s",
		"--ready-file", ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitFor(t, func() bool { _, err := os.Stat(ready); return err == nil }, "busy to start")
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestContenderNamedAsPeerAndInSummary pins the workload and a CPU burner
// with a distinctive name to one CPU: the workload's off-CPU intervals name
// the burner as the task that took the CPU, and the per-second contention
// summary names it too.
func TestContenderNamedAsPeerAndInSummary(t *testing.T) {
	h := newHarness(t, Options{Summary: 100 * time.Millisecond})
	art := standintest.Require(t)
	const hog = "logrotate"
	cpu := min(1, runtime.NumCPU()-1)
	startBusy(t, art, hog, cpu)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := art.Start(ctx, nil, "--pattern", "launch-storm", "--duration", "700ms", "--cpu", strconv.Itoa(cpu))
	if err != nil {
		t.Fatal(err)
	}
	pid := uint32(run.PID())
	if err := h.maps.Track(pid, shared.Target{}); err != nil {
		t.Fatal(err)
	}
	if err := run.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Wait(); err != nil {
		t.Fatal(err)
	}
	var switches, byHog, preempted int
	var contention time.Duration
	for _, e := range h.all() {
		switch {
		case e.PID == pid && e.Op == event.SchedSwitch:
			switches++
			if e.PeerComm == hog {
				byHog++
				if e.Args[0] != uint64(cpu) || e.DurNs <= 0 || e.PeerPID == 0 {
					t.Errorf("switch to %s: cpu %d, off-CPU %dns, peer pid %d", hog, e.Args[0], e.DurNs, e.PeerPID)
				}
				if e.Args[1] == 1 {
					preempted++
				}
			}
		case e.Op == event.CPUContention && e.PeerComm == hog:
			if e.PID != pid || e.Args[0] != uint64(cpu) || e.Args[1] == 0 {
				t.Errorf("contention event %+v: want victim %d on cpu %d with switches", e, pid, cpu)
			}
			contention += e.Duration()
		}
	}
	if byHog == 0 {
		t.Fatalf("%d sched_switch events of the workload, none naming %s", switches, hog)
	}
	if preempted == 0 {
		t.Errorf("%d switches to %s, none marked preempted: both were runnable", byHog, hog)
	}
	if contention < 50*time.Millisecond {
		t.Errorf("contention summary gives %s %v of CPU %d over 700ms shared with it", hog, contention, cpu)
	}
}

// TestForkEnrollsChildInKernel traces a shell; the process it forks is
// traced from its first instruction with no help from user space: its exec
// and exit are recorded, and while alive it is in the target map with the
// parent's libcudart ranges but not the parent's per-pid probes.
func TestForkEnrollsChildInKernel(t *testing.T) {
	// Its shells spin on the CPU: beside another package's pinned hog they
	// starve, and they preempt that package's loop.
	standintest.Exclusive(t)
	h := newHarness(t, Options{})
	dir := t.TempDir()
	gate := filepath.Join(dir, "go")
	// Two children: a subshell that waits for a second gate (it keeps the
	// inherited entry as fork left it) and sleep, which execs.
	release := filepath.Join(dir, "release")
	// The shell first says it runs: cmd.Start returns once exec has closed
	// the child's close-on-exec pipe, before the kernel's exec tracepoint,
	// whose handler resets the entry; tracking the shell before that
	// fired had its ranges wiped (seen under load).
	running := filepath.Join(dir, "running")
	script := `: >"$3"; while [ ! -e "$1" ]; do :; done; (while [ ! -e "$2" ]; do :; done) & sleep 0.2 & wait`
	sh := exec.Command("/bin/sh", "-c", script, "sh", gate, release, running)
	// A group of its own, killed whole: killing the shell alone left its
	// spinning subshell behind, orphaned, burning a CPU for good (it was
	// found 9 minutes later, starving this test's next run and named as a
	// culprit in the demo's end-to-end test).
	sh.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(-sh.Process.Pid, syscall.SIGKILL)
	parent := uint32(sh.Process.Pid)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(running); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the shell never ran")
		}
	}
	// Probes for the parent's pid alone: the child must not inherit them.
	ranges := []shared.Range{{Lo: 0x1000, Hi: 0x2000}}
	err := h.maps.Track(parent, shared.Target{ReturnProbes: true, RuntimeLaunch: true, CudartText: ranges})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var st shared.TargetState
	found := func() bool {
		pids, _ := h.maps.PIDs()
		for _, p := range pids {
			if s, ok, _ := h.maps.Lookup(p); ok && s.Forked && len(s.CudartText) > 0 {
				st = s
				return true
			}
		}
		return false
	}
	// The shell spins on the gate; on a loaded 2-core CI machine it can
	// wait long for a CPU, so the deadline is generous, and a timeout says
	// what the kernel side saw.
	for deadline := time.Now().Add(30 * time.Second); !found(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			pids, _ := h.maps.PIDs()
			c, _ := h.maps.Counters()
			t.Fatalf("timed out waiting for the subshell in the target map: tracked %v, fork-enroll errors %d", pids, c.Errors.ForkEnroll)
		}
	}
	if st.ReturnProbes || st.RuntimeLaunch || len(st.CudartText) != 1 || st.CudartText[0] != ranges[0] {
		t.Errorf("child entry %+v: want the ranges, without the parent's per-pid probes", st)
	}
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sh.Wait(); err != nil {
		t.Fatal(err)
	}
	events := h.all()
	children := map[uint32]bool{}
	for _, e := range events {
		if e.PID == parent && e.Op == event.ProcessFork {
			children[e.PeerPID] = true
		}
	}
	var execd, exited int
	for _, e := range events {
		switch {
		case children[e.PID] && e.Op == event.ProcessExec && e.Comm == "sleep":
			execd++
		case children[e.PID] && e.Op == event.ProcessExit:
			exited++
		}
	}
	if len(children) != 2 || execd != 1 || exited != 2 {
		t.Errorf("%d children forked, %d exec'd sleep, %d exited; want 2, 1, 2", len(children), execd, exited)
	}
	for child := range children {
		if _, ok, _ := h.maps.Lookup(child); ok {
			t.Errorf("child %d still tracked after it exited", child)
		}
	}
}
