package cuda

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/stacks"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
	"ingero.dev/common/testenv"
)

// BenchmarkPythonLaunches times launches made through ctypes from a
// Python stack 20 frames deep (testdata/py_launch_storm.py), untraced,
// traced without stacks, and with stacks walked by each Python walker (and
// 5 frames deep), and reports the script's own time per launch:
//
//	go test ./cuda -run '^$' -bench PythonLaunches -benchtime 5x
func BenchmarkPythonLaunches(b *testing.B) {
	pys := kernelWalkerPythons()
	if len(pys) == 0 {
		testenv.Unavailable(b, "no CPython 3.10-3.13 in /usr/bin or ~/.pyenv/versions: install python3")
	}
	py := pys[len(pys)-1] // the newest
	b.Logf("%s", py)
	userspace := func() *Options {
		return &Options{Calibrate: time.Millisecond, Stacks: stacks.NewResolver(stacks.PyUserspace)}
	}
	ebpf := func() *Options {
		return &Options{Calibrate: time.Millisecond, Stacks: stacks.NewResolver(stacks.PyEBPF)}
	}
	for _, bc := range []struct {
		name  string
		opts  *Options
		depth int
	}{
		{"unprobed", nil, 20},
		{"driver-entry", &Options{Calibrate: time.Millisecond}, 20},
		{"stack-userspace", userspace(), 20},
		{"stack-ebpf", ebpf(), 20},
		// Fewer frames: what each frame costs the kernel walker.
		{"stack-userspace-depth5", userspace(), 5},
		{"stack-ebpf-depth5", ebpf(), 5},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var sum float64
			var runs int
			for b.Loop() {
				sum += pythonStormOnce(b, bc.opts, py, bc.depth)
				runs++
			}
			b.ReportMetric(sum/float64(runs), "ns/launch")
		})
	}
}

// pythonStormOnce runs the script once, traced with opts unless nil, and
// returns the nanoseconds per launch it measured.
func pythonStormOnce(b *testing.B, opts *Options, py string, depth int) float64 {
	b.StopTimer()
	defer b.StartTimer()
	const launches = 20000
	script, _ := filepath.Abs("testdata/py_launch_storm.py")
	var h *harness
	var runtime string
	if opts != nil {
		h = newPausedHarness(b, *opts)
		h.tr.Start(func([]event.Event) {})
		defer h.close()
		runtime = h.art.Runtime
	} else {
		runtime = standintest.Require(b).Runtime
	}
	cmd := exec.Command(py, script, runtime, strconv.Itoa(launches), strconv.Itoa(depth))
	cmd.Env = append(os.Environ(), zeroCost...)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	out := bufio.NewReader(stdout)
	if line, err := out.ReadString('\n'); err != nil || line != "ready\n" {
		b.Fatalf("%s said %q, %v", py, line, err)
	}
	if h != nil {
		p, err := Describe(cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		p.ReturnProbes = true
		if err := h.tr.AddProcess(p); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := stdin.Write([]byte("go\n")); err != nil {
		b.Fatal(err)
	}
	line, err := out.ReadString('\n')
	if err != nil {
		b.Fatalf("%s: %v", py, err)
	}
	ns, err := strconv.ParseFloat(strings.TrimSpace(line), 64)
	if err != nil {
		b.Fatalf("%s printed %q", py, line)
	}
	return ns
}
