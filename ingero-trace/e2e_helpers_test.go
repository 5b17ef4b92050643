package trace

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ingero.dev/bpf/standin"
	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/event"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error

	explainOnce sync.Once
	explainBin  string
	explainErr  error
)

// explain runs the real ingero-explain on a recording trace made: the
// end-to-end promise is about what a user reads, not an API.
func explain(t *testing.T, args ...string) string {
	t.Helper()
	explainOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ingero-explain-bin-")
		if err != nil {
			explainErr = err
			return
		}
		explainBin = filepath.Join(dir, "ingero-explain")
		cmd := exec.Command("go", "build", "-o", explainBin, "./cmd/ingero-explain")
		cmd.Dir = "../ingero-explain"
		if out, err := cmd.CombinedOutput(); err != nil {
			explainErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if explainErr != nil {
		t.Fatal(explainErr)
	}
	out, err := exec.Command(explainBin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ingero explain %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// traceBinary builds ingero-trace once per test process: the end-to-end
// tests drive the real binary, signals and exit code included.
func traceBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ingero-trace-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ingero-trace")
		out, err := exec.Command("go", "build", "-o", binPath, "./cmd/ingero-trace").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// tracer is a running ingero-trace process.
type tracer struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout strings.Builder
	mu     sync.Mutex
	lines  []string
	done   chan struct{}
}

func startTrace(t *testing.T, args ...string) *tracer {
	t.Helper()
	return startTraceEnv(t, nil, args...)
}

// startTraceEnv is startTrace with env added to trace's environment.
func startTraceEnv(t *testing.T, env []string, args ...string) *tracer {
	t.Helper()
	return startTraceUnder(t, nil, env, args...)
}

// startTraceUnder runs trace as the last argument of the command prefix
// (nil: trace itself).
func startTraceUnder(t *testing.T, prefix, env []string, args ...string) *tracer {
	t.Helper()
	standintest.Exclusive(t)
	argv := append(append(append([]string(nil), prefix...), traceBinary(t)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(append(os.Environ(), "SUDO_USER="), env...)
	tr := &tracer{t: t, cmd: cmd, done: make(chan struct{})}
	cmd.Stdout = &lockedWriter{mu: &tr.mu, w: &tr.stdout}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(tr.done)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			tr.mu.Lock()
			tr.lines = append(tr.lines, sc.Text())
			tr.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	return tr
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// waitLine waits until stderr holds a line containing s.
func (tr *tracer) waitLine(s string, timeout time.Duration) {
	tr.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		tr.mu.Lock()
		for _, l := range tr.lines {
			if strings.Contains(l, s) {
				tr.mu.Unlock()
				return
			}
		}
		tr.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	tr.t.Fatalf("ingero trace never printed %q; stderr:\n%s", s, tr.stderr())
}

func (tr *tracer) stderr() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return strings.Join(tr.lines, "\n")
}

// stop sends SIGINT, as Ctrl-C does, and checks the clean exit.
func (tr *tracer) stop() {
	tr.t.Helper()
	tr.cmd.Process.Signal(syscall.SIGINT)
	<-tr.done
	if err := tr.cmd.Wait(); err != nil {
		tr.t.Fatalf("ingero trace: %v; stderr:\n%s", err, tr.stderr())
	}
}

// runTraced starts the workload, waits until trace has attached to it
// without being told its PID, lets it run and returns its own counts.
func runTraced(t *testing.T, tr *tracer, art *standin.Artifacts, env []string, args ...string) *standin.Counts {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := art.Start(ctx, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	// Discovery scans twice a second. How soon it picks a process up is a
	// speed figure, logged here: on a loaded machine the scan and the
	// uprobe attach wait for a CPU like anything else, so a wall-clock
	// bound would judge the machine, not trace. Being picked up at all,
	// untold, is the promise checked.
	started := time.Now()
	tr.waitLine(fmt.Sprintf("tracing PID %d ", run.PID()), 10*time.Second)
	t.Logf("new process picked up after %v", time.Since(started).Round(time.Millisecond))
	if err := run.Release(); err != nil {
		t.Fatal(err)
	}
	counts, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

func wantCounts(c *standin.Counts) map[string]uint64 {
	want := map[string]uint64{}
	for k, n := range c.Want() {
		want[event.OpName(k.Source, k.Op)] = n
	}
	return want
}

func gotCounts(events []event.Event) map[string]uint64 {
	got := map[string]uint64{}
	for _, e := range events {
		if e.Source == event.SourceCUDA || e.Source == event.SourceDriver {
			got[e.OpName()]++
		}
	}
	return got
}

func assertSameCounts(t *testing.T, what string, want, got map[string]uint64) {
	t.Helper()
	for op, n := range want {
		if got[op] != n {
			t.Errorf("%s: %s recorded %d times, the workload called it %d times", what, op, got[op], n)
		}
	}
	for op, n := range got {
		if _, ok := want[op]; !ok {
			t.Errorf("%s: %s recorded %d times, the workload never called it", what, op, n)
		}
	}
}

// stopCode sends SIGINT and returns trace's exit code, whatever it is.
func (tr *tracer) stopCode() int {
	tr.t.Helper()
	tr.cmd.Process.Signal(syscall.SIGINT)
	<-tr.done
	tr.cmd.Wait()
	return tr.cmd.ProcessState.ExitCode()
}

func (tr *tracer) stdoutText() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.stdout.String()
}
