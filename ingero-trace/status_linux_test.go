package trace

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
)

// statusReader collects the lines trace writes to --status-fd 3.
type statusReader struct {
	mu    sync.Mutex
	lines []statusLine
	raw   []string
	done  chan struct{}
}

func (s *statusReader) wait(t *testing.T, what string, ok func(statusLine) bool) statusLine {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		for _, l := range s.lines {
			if ok(l) {
				s.mu.Unlock()
				return l
			}
		}
		s.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s status line; got:\n%q", what, s.raw)
	return statusLine{}
}

// TestStatusFD runs trace as the demo does, with --status-fd, and checks
// the lines a supervising program relies on: attached, the traced PID
// with its probes, the library, stats while it runs, and a stopped line
// whose event count is what the database holds.
func TestStatusFD(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	standintest.Exclusive(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := art.Start(ctx, nil, "--pattern", "basic", "--iterations", "4")
	if err != nil {
		t.Fatal(err)
	}
	pid := run.PID()
	db := filepath.Join(t.TempDir(), "s.db")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(traceBinary(t), "-d", db, "--pid", strconv.Itoa(pid), "--cuda-lib", art.Runtime, "--status-fd", "3")
	cmd.Env = append(os.Environ(), "SUDO_USER=")
	cmd.ExtraFiles = []*os.File{pw}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	pw.Close()
	st := &statusReader{done: make(chan struct{})}
	go func() {
		defer close(st.done)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var l statusLine
			err := json.Unmarshal(sc.Bytes(), &l)
			st.mu.Lock()
			st.raw = append(st.raw, sc.Text())
			if err == nil {
				st.lines = append(st.lines, l)
			}
			st.mu.Unlock()
		}
	}()

	att := st.wait(t, "attached", func(l statusLine) bool { return l.Status == "attached" })
	if att.Database != db || att.Scope == "" {
		t.Errorf("attached: %+v, want database %s and a scope", att, db)
	}
	p := st.wait(t, "pid", func(l statusLine) bool { return l.Status == "pid" && int(l.PID) == pid })
	if p.CUDA == nil || !*p.CUDA || p.Durations == nil || p.Comm == "" {
		t.Errorf("pid line: %+v, want cuda true, durations set and the comm", p)
	}
	st.wait(t, "library", func(l statusLine) bool { return l.Status == "library" && l.Path == art.Runtime })
	if err := run.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Wait(); err != nil {
		t.Fatal(err)
	}
	st.wait(t, "stats", func(l statusLine) bool { return l.Status == "stats" && l.Events != nil && *l.Events > 0 })
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("trace: %v", err)
	}
	<-st.done
	last := st.lines[len(st.lines)-1]
	if last.Status != "stopped" || last.Events == nil || last.KernelDrops == nil || last.MissedIO == nil {
		t.Fatalf("last line %+v, want stopped with its counters", last)
	}
	_, rec := eventsOf(t, db, uint32(pid))
	span, err := rec.TimeSpan()
	if err != nil {
		t.Fatal(err)
	}
	if uint64(span.Events) != *last.Events {
		t.Errorf("stopped says %d events, the database holds %d", *last.Events, span.Events)
	}
	for i, l := range st.lines {
		if _, err := time.Parse(time.RFC3339Nano, l.Time); err != nil {
			t.Errorf("line %d: time %q: %v", i, l.Time, err)
		}
	}
}
