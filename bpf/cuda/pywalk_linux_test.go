package cuda

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ingero.dev/bpf/stacks"
	"ingero.dev/common/event"
	"ingero.dev/common/testenv"
)

// TestKernelPythonWalkerNamesLines: with --py-walker ebpf, every call a
// Python script makes through ctypes, from two threads at once, carries
// its own thread's Python frames, exact to the line and qualified name, on
// each CPython 3.10-3.13 found here, and user space reads none of the
// process's memory.
func TestKernelPythonWalkerNamesLines(t *testing.T) {
	pythons := kernelWalkerPythons()
	if len(pythons) == 0 {
		testenv.Unavailable(t, "no CPython 3.10-3.13 in /usr/bin or ~/.pyenv/versions: install python3")
	}
	script, _ := filepath.Abs("testdata/ctypes_frames.py")
	for _, py := range pythons {
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(py)))+"-"+filepath.Base(py), func(t *testing.T) {
			r := stacks.NewResolver(stacks.PyEBPF)
			h := newHarness(t, Options{Stacks: r})
			reads := r.Stats().MemReads
			pid := runPythonScript(t, h, py, script)
			events := h.of(pid) // closes the tracer: every record is in
			byID := map[uint64]event.Stack{}
			for _, s := range r.Drain() {
				byID[s.ID] = s
			}
			name := "Βρόχος.run"
			if strings.HasSuffix(py, "3.10") {
				name = "run" // 3.10 code objects carry no qualified name
			}
			sync := fmt.Sprintf("ctypes_frames.py:%d (%s)", lineOf(t, script, "# SYNC"), name)
			want := strings.Join([]string{sync,
				fmt.Sprintf("ctypes_frames.py:%d (main)", lineOf(t, script, "# CALL")),
				fmt.Sprintf("ctypes_frames.py:%d (<module>)", lineOf(t, script, "# MAIN")),
			}, " < ")
			// The second thread's stack goes on into threading.py.
			wantThread := sync + fmt.Sprintf(" < ctypes_frames.py:%d (worker) < ", lineOf(t, script, "# THREAD"))
			syncs := map[bool]int{}
			for _, e := range events {
				if e.Op != event.CudaDeviceSynchronize || e.Source != event.SourceCUDA {
					continue
				}
				mainThread := e.TID == e.PID
				syncs[mainThread]++
				s, ok := byID[e.StackID]
				if !ok {
					t.Fatalf("a sync has stack %#x, which was never stored", e.StackID)
				}
				got := pythonSites(s.Frames)
				if mainThread && got != want || !mainThread && !strings.HasPrefix(got, wantThread) {
					t.Fatalf("thread %d: sync's Python frames %q, want %q (stack %+v)", e.TID, got, map[bool]string{true: want, false: wantThread + "..."}[mainThread], s.Frames)
				}
				if site, _ := event.CallSite(s.Frames); site.Lang != event.LangPython {
					t.Errorf("call site %s is not the Python line", site.Site())
				}
			}
			if syncs[true] != 100 || syncs[false] != 100 {
				t.Errorf("%d syncs recorded in the main thread and %d in the other, want 100 each", syncs[true], syncs[false])
			}
			if got := r.Stats().MemReads; got != reads {
				t.Errorf("user space read process memory %d times; the kernel walker needs none", got-reads)
			}
		})
	}
}

// runPythonScript traces one run of the script under py and returns its PID
// once it has exited.
func runPythonScript(t *testing.T, h *harness, py, script string) int {
	t.Helper()
	goFile := filepath.Join(t.TempDir(), "go")
	cmd := exec.Command(py, script, h.art.Runtime, goFile)
	cmd.Env = append(os.Environ(), "STANDIN_SYNC_NS=20000")
	cmd.Stderr = os.Stderr
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("%s said %q, %v", py, line, err)
	}
	p, err := Describe(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	p.ReturnProbes = true
	if err := h.tr.AddProcess(p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v", py, err)
	}
	return cmd.Process.Pid
}

func pythonSites(frames []event.Frame) string {
	var out []string
	for _, f := range frames {
		if f.Lang == event.LangPython {
			out = append(out, f.Site())
		}
	}
	return strings.Join(out, " < ")
}

// kernelWalkerPythons lists the CPythons the walker knows that are here.
func kernelWalkerPythons() []string {
	var out []string
	home, _ := os.UserHomeDir()
	for minor := 10; minor <= 13; minor++ {
		name := fmt.Sprintf("python3.%d", minor)
		if _, err := os.Stat("/usr/bin/" + name); err == nil {
			out = append(out, "/usr/bin/"+name)
		}
		m, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions", fmt.Sprintf("3.%d.*", minor), "bin", name))
		out = append(out, m...)
	}
	return out
}
