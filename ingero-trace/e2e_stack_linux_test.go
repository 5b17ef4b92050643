package trace

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
	"ingero.dev/common/testenv"
)

// TestTraceStacksNameWorkloadLines: with --stack, every call the stand-in
// workload (built with -g) makes is stored with a stack whose call site is
// the workload's own source line.
func TestTraceStacksNameWorkloadLines(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	db := filepath.Join(t.TempDir(), "t.db")
	tr := startTrace(t, "-d", db, "--stack")
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	counts := runTraced(t, tr, art, nil, "--pattern", "basic", "--iterations", "3")
	tr.stop()
	evs, rec := eventsOf(t, db, uint32(counts.PID))
	stacks, err := rec.Stacks(nil)
	if err != nil {
		t.Fatal(err)
	}
	launchLine := markerLine(t, filepath.Join(art.Dir, "src", "workload_patterns.c"), "CALL(cudaLaunchKernel, &kernel_runtime")
	launches := 0
	for _, e := range evs {
		if e.Source != event.SourceCUDA && e.Source != event.SourceDriver {
			continue
		}
		s, ok := stacks[e.StackID]
		if !ok {
			t.Fatalf("%s points at stack %#x, which is not stored", e.OpName(), e.StackID)
		}
		site, ok := event.CallSite(s.Frames)
		if !ok || site.Module != filepath.Base(art.Workload) || site.Line == 0 {
			t.Errorf("%s: call site %s is not a line of the workload", e.OpName(), site.Site())
		}
		if e.Op == event.CudaLaunchKernel {
			launches++
			if site.Site() != fmt.Sprintf("workload_patterns.c:%d (launch)", launchLine) {
				t.Errorf("launch call site %s, want workload_patterns.c:%d (launch)", site.Site(), launchLine)
			}
		}
	}
	if launches == 0 {
		t.Fatalf("no launches among %d events", len(evs))
	}
}

// TestTraceStacksNamePythonLines: a Python script calling the stand-in
// runtime through ctypes gets its own file, function and line in the
// stacks of its calls.
func TestTraceStacksNamePythonLines(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	py := findPython(t)
	db := filepath.Join(t.TempDir(), "t.db")
	tr := startTrace(t, "-d", db, "--stack", "--py-walker", "userspace")
	syncs, named, seen := tracePythonLoop(t, tr, art, py, db)
	if !strings.Contains(tr.stderr(), "stacks: ") || strings.Contains(tr.stderr(), "Python stacks read 0 times") {
		t.Errorf("the exit summary does not say what the walker read:\n%s", tr.stderr())
	}
	// The walker reads the interpreter when the record is decoded, a few
	// milliseconds after the call: the loop's last calls may be read once
	// the script has left it. Most of a 1.5 s loop must be named exactly.
	t.Logf("%d of %d syncs named exactly; Python stacks seen: %v", named, syncs, seen)
	if syncs == 0 || named*2 < syncs {
		t.Errorf("%d of %d syncs have the script's Python frames; seen: %v", named, syncs, seen)
	}
}

// TestTraceKernelPythonWalkerWithoutMemoryAccess: --py-walker ebpf names
// the script's lines for every call, exactly, from a trace that cannot
// read the script's memory (process_vm_readv refused by a seccomp filter,
// as kernel.yama.ptrace_scope 3 refuses it).
func TestTraceKernelPythonWalkerWithoutMemoryAccess(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	py := findPython(t)
	wrapper := buildNoVMRead(t)
	db := filepath.Join(t.TempDir(), "t.db")
	tr := startTraceUnder(t, []string{wrapper}, nil, "-d", db, "--stack", "--py-walker", "ebpf")
	syncs, named, seen := tracePythonLoop(t, tr, art, py, db)
	if !strings.Contains(tr.stderr(), "(ebpf walker, 0 reads of process memory), 0 unreadable") {
		t.Errorf("the exit summary does not say the kernel walker read every stack:\n%s", tr.stderr())
	}
	// Frames are read in the kernel at the call: each one is exact.
	if syncs == 0 || named != syncs {
		t.Errorf("%d of %d syncs have the script's Python frames; seen: %v", named, syncs, seen)
	}
}

// tracePythonLoop runs testdata/ctypes_loop.py under trace and counts its
// syncs, and those whose Python frames are exactly the marked lines.
func tracePythonLoop(t *testing.T, tr *tracer, art *standin.Artifacts, py, db string) (syncs, named int, seen map[string]int) {
	t.Helper()
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	goFile := filepath.Join(t.TempDir(), "go")
	script, _ := filepath.Abs("testdata/ctypes_loop.py")
	cmd := exec.Command(py, script, art.Runtime, goFile)
	cmd.Env = append(os.Environ(), "STANDIN_SYNC_NS=200000")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("the script said %q, %v", line, err)
	}
	tr.waitLine(fmt.Sprintf("tracing PID %d ", cmd.Process.Pid), 10*time.Second)
	if err := os.WriteFile(goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v", py, err)
	}
	tr.stop()

	evs, rec := eventsOf(t, db, uint32(cmd.Process.Pid))
	stacks, err := rec.Stacks(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		fmt.Sprintf("ctypes_loop.py:%d (hot_loop)", markerLine(t, script, "# SYNC")),
		fmt.Sprintf("ctypes_loop.py:%d (main)", markerLine(t, script, "# CALL")),
		fmt.Sprintf("ctypes_loop.py:%d (<module>)", markerLine(t, script, "# MAIN")),
	}, " < ")
	seen = map[string]int{}
	for _, e := range evs {
		if e.Op != event.CudaDeviceSynchronize || e.Source != event.SourceCUDA {
			continue
		}
		syncs++
		var got []string
		for _, f := range stacks[e.StackID].Frames {
			if f.Lang == event.LangPython {
				got = append(got, f.Site())
			}
		}
		seen[strings.Join(got, " < ")]++
		if strings.Join(got, " < ") == want {
			named++
		}
	}
	return syncs, named, seen
}

// buildNoVMRead compiles testdata/no_vm_read.c, the seccomp wrapper.
func buildNoVMRead(t *testing.T) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		testenv.Unavailable(t, "gcc not found: install gcc (it builds the seccomp wrapper)")
	}
	bin := filepath.Join(t.TempDir(), "no_vm_read")
	if out, err := exec.Command(gcc, "-O2", "-Wall", "-o", bin, "testdata/no_vm_read.c").CombinedOutput(); err != nil {
		t.Fatalf("building the seccomp wrapper: %v\n%s", err, out)
	}
	return bin
}

// findPython is a CPython 3.10-3.13, on PATH or under pyenv.
func findPython(t *testing.T) string {
	for minor := 13; minor >= 10; minor-- {
		name := fmt.Sprintf("python3.%d", minor)
		if p, err := exec.LookPath(name); err == nil && !strings.Contains(p, "/shims/") {
			return p
		}
		home, _ := os.UserHomeDir()
		if m, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions", fmt.Sprintf("3.%d.*", minor), "bin", name)); len(m) > 0 {
			return m[0]
		}
	}
	testenv.Unavailable(t, "no CPython 3.10-3.13 on PATH or under ~/.pyenv: install python3")
	return ""
}

func markerLine(t *testing.T, file, marker string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range bytes.Split(data, []byte("\n")) {
		if bytes.Contains(l, []byte(marker)) {
			return i + 1
		}
	}
	t.Fatalf("%s has no %q", file, marker)
	return 0
}
