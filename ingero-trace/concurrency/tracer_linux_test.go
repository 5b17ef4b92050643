package concurrency

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// statusLine is one line of trace --status-fd (docs/cli.md), the fields
// read here.
type statusLine struct {
	Status      string    `json:"status"`
	Time        time.Time `json:"time"`
	PID         int       `json:"pid"`
	CUDA        bool      `json:"cuda"`
	Events      uint64    `json:"events"`
	KernelDrops uint64    `json:"kernel_drops"`
	UserDrops   uint64    `json:"user_drops"`
	SampledOut  uint64    `json:"sampled_out"`
}

// tracer is a running ingero trace, followed through its status lines
// rather than its human stderr.
type tracer struct {
	t      testing.TB
	cmd    *exec.Cmd
	stderr lockedBuffer
	mu     sync.Mutex
	lines  []statusLine
	done   chan struct{}
}

func startTrace(t testing.TB, cpus []int, args ...string) *tracer {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	tr := &tracer{t: t, done: make(chan struct{})}
	tr.cmd = exec.Command(binary(t, "trace"), append(args, "--status-fd", "3")...)
	tr.cmd.Env = append(os.Environ(), "SUDO_USER=") // the database stays root's, in a root-owned temp dir
	tr.cmd.Stderr = &tr.stderr
	tr.cmd.ExtraFiles = []*os.File{w}
	err = pinned(cpus, tr.cmd.Start)
	w.Close()
	if err != nil {
		r.Close()
		t.Fatalf("starting ingero trace: %v", err)
	}
	t.Cleanup(func() { tr.cmd.Process.Kill() })
	go func() {
		defer close(tr.done)
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			var l statusLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				tr.mu.Lock()
				tr.lines = append(tr.lines, l)
				tr.mu.Unlock()
			}
		}
	}()
	tr.await("attached", 30*time.Second, func(l statusLine) bool { return l.Status == "attached" })
	return tr
}

// await waits for a status line that ok accepts and returns it.
func (tr *tracer) await(what string, timeout time.Duration, ok func(statusLine) bool) statusLine {
	tr.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		tr.mu.Lock()
		for _, l := range tr.lines {
			if ok(l) {
				tr.mu.Unlock()
				return l
			}
		}
		tr.mu.Unlock()
		select {
		case <-tr.done:
			tr.t.Fatalf("ingero trace ended before %s; stderr:\n%s", what, tr.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tr.t.Fatalf("ingero trace: no %s within %v; stderr:\n%s", what, timeout, tr.stderr.String())
	return statusLine{}
}

func (tr *tracer) awaitPID(pid int) {
	tr.t.Helper()
	tr.await(fmt.Sprintf("CUDA probes on PID %d", pid), 20*time.Second, func(l statusLine) bool {
		return l.Status == "pid" && l.PID == pid && l.CUDA
	})
}

// stop sends SIGINT, as Ctrl-C does, checks the clean exit and returns
// the final counts.
func (tr *tracer) stop() statusLine {
	tr.t.Helper()
	tr.cmd.Process.Signal(syscall.SIGINT)
	err := tr.cmd.Wait()
	<-tr.done
	if err != nil {
		tr.t.Fatalf("ingero trace: %v; stderr:\n%s", err, tr.stderr.String())
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, l := range tr.lines {
		if l.Status == "stopped" {
			return l
		}
	}
	tr.t.Fatalf("ingero trace exited without a stopped status line; stderr:\n%s", tr.stderr.String())
	return statusLine{}
}

// rate is the events per second trace recorded between from and to: the
// difference of the once-a-second counts nearest inside the window.
func (tr *tracer) rate(from, to time.Time) (float64, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var first, last *statusLine
	for i := range tr.lines {
		l := &tr.lines[i]
		if l.Status != "stats" || l.Time.Before(from) || l.Time.After(to) {
			continue
		}
		if first == nil {
			first = l
		}
		last = l
	}
	if first == nil || !last.Time.After(first.Time) {
		return 0, fmt.Errorf("fewer than two stats lines between %s and %s", from.Format(time.TimeOnly), to.Format(time.TimeOnly))
	}
	return float64(last.Events-first.Events) / last.Time.Sub(first.Time).Seconds(), nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
