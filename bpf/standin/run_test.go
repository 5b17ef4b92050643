package standin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ingero.dev/common/cudalib"
)

func procField(t *testing.T, pid int, file, key string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		t.Fatal(err)
	}
	if key == "" {
		return strings.TrimSpace(string(data))
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/%d/%s", key, pid, file)
	return ""
}

// A started workload has both libraries mapped and has made no counted call
// until released; discovery must find it as ingero trace will.
func TestStartedWorkloadIsDiscoverableAndHeld(t *testing.T) {
	art := artifacts(t)
	r, err := art.Start(t.Context(), nil, "--pattern", "basic", "--cpu", "0", "--comm", "ingero-wl")
	if err != nil {
		t.Fatal(err)
	}
	pid := r.PID()
	if got := procField(t, pid, "comm", ""); got != "ingero-wl" {
		t.Errorf("comm %q, want ingero-wl", got)
	}
	if got := procField(t, pid, "status", "Cpus_allowed_list"); got != "0" {
		t.Errorf("allowed CPUs %q, want 0", got)
	}

	snap, err := (&cudalib.Scanner{}).ScanPIDs([]int{pid})
	if err != nil {
		t.Fatal(err)
	}
	want := map[cudalib.Kind]string{cudalib.Runtime: art.Runtime, cudalib.Driver: art.Driver}
	for kind, path := range want {
		libs := snap.OfKind(kind)
		real, _ := filepath.EvalSymlinks(path)
		if len(libs) != 1 || libs[0].Path != real {
			t.Errorf("%v libraries %+v, want %s", kind, libs, real)
		}
	}
	ranges, err := (&cudalib.Scanner{}).TextRanges(pid)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[cudalib.Kind]int{}
	for _, rg := range ranges {
		kinds[rg.Kind]++
	}
	if kinds[cudalib.Runtime] != 1 || kinds[cudalib.Driver] != 1 {
		t.Errorf("text ranges %+v: want one per library", ranges)
	}

	time.Sleep(50 * time.Millisecond)
	if procField(t, pid, "status", "State")[0] == 'Z' {
		t.Fatal("the workload ran off before its release")
	}
	if err := r.Release(); err != nil {
		t.Fatal(err)
	}
	c, err := r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if c.Calls["cudaMalloc"] != 4 {
		t.Errorf("after release: %v", c.Calls)
	}
}

func TestDurationRepeatsThePattern(t *testing.T) {
	const d = 300 * time.Millisecond
	c := runWorkload(t, artifacts(t), nil, "--pattern", "launch-storm", "--duration", d.String())
	if time.Duration(c.ElapsedNs) < d || c.Iterations < 2 {
		t.Errorf("ran %d iterations in %v, want several over %v", c.Iterations, time.Duration(c.ElapsedNs), d)
	}
	if c.Calls["cudaLaunchKernel"] != 1000*c.Iterations || c.Calls["cudaStreamSynchronize"] != c.Iterations {
		t.Errorf("%d iterations but calls %v", c.Iterations, c.Calls)
	}
}

// SIGTERM ends the run after the iteration in progress, with its counts.
func TestSignalEndsTheRunWithCounts(t *testing.T) {
	art := artifacts(t)
	r, err := art.Start(t.Context(), nil, "--pattern", "basic", "--duration", "1m")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Release(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := r.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c, err := r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if c.Iterations == 0 || time.Duration(c.ElapsedNs) > 30*time.Second {
		t.Fatalf("%d iterations in %v", c.Iterations, time.Duration(c.ElapsedNs))
	}
	if c.Calls["cudaMalloc"] != 4*c.Iterations || c.Calls["cudaFree"] != 4*c.Iterations {
		t.Errorf("%d whole iterations, but calls %v", c.Iterations, c.Calls)
	}
}

func TestStartReportsAWorkloadThatDies(t *testing.T) {
	art := artifacts(t)
	if _, err := art.Start(t.Context(), nil, "--pattern", "no-such-pattern"); err == nil ||
		!strings.Contains(err.Error(), "unknown pattern") {
		t.Errorf("got %v, want the workload's complaint", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := art.Start(ctx, nil); err == nil {
		t.Error("a cancelled context: want an error")
	}
}

// busy is the contender for scheduler tests: named, pinned, burning CPU.
func TestBusyBurnsCPUUnderItsName(t *testing.T) {
	art := artifacts(t)
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.CommandContext(t.Context(), art.Busy, "--comm", "ingero-hog", "--cpu", "0", "--duration", "20s",
		"--ready-file", ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("busy never got ready")
		}
	}
	pid := cmd.Process.Pid
	if got := procField(t, pid, "comm", ""); got != "ingero-hog" {
		t.Errorf("comm %q, want ingero-hog", got)
	}
	if got := procField(t, pid, "status", "Cpus_allowed_list"); got != "0" {
		t.Errorf("allowed CPUs %q, want 0", got)
	}
	// It must gather user time: how fast depends on what else wants CPU
	// 0 (other packages' pinned hogs among them), so the test waits for
	// it rather than timing it. utime, in clock ticks (usually 100 a
	// second), is field 14 of stat.
	utime := 0
	for deadline := time.Now().Add(10 * time.Second); utime < 5; time.Sleep(20 * time.Millisecond) {
		stat := procField(t, pid, "stat", "")
		fields := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
		var err error
		if utime, err = strconv.Atoi(fields[11]); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("busy used %d ticks of user time in 10s, want it burning CPU 0", utime)
		}
	}
}
