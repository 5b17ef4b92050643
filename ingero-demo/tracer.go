package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tracer is `ingero trace` running as a process: the demo records the
// way a user would, and reads back only the database, what trace prints,
// and its state from the machine-readable --status-fd channel (docs/cli.md),
// never from its human stderr.
type tracer struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout bytes.Buffer
	lines  []string      // stderr, for the summary and error messages
	status []traceStatus // --status-fd lines
	done   chan struct{}
	err    error
}

// traceStatus is one --status-fd line, as far as the demo reads it.
type traceStatus struct {
	Status string `json:"status"`
	PID    uint32 `json:"pid"`
	CUDA   bool   `json:"cuda"` // pid: its CUDA calls are probed
}

func startTracer(args []string, stdout io.Writer) (*tracer, error) {
	bin, pre, err := findCommand("trace")
	if err != nil {
		return nil, err
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("starting ingero trace: %w", err)
	}
	defer statusW.Close()
	args = append(args, "--status-fd", "3") // ExtraFiles[0] is fd 3
	t := &tracer{cmd: exec.Command(bin, append(pre, args...)...), done: make(chan struct{})}
	t.cmd.ExtraFiles = []*os.File{statusW}
	// trace scopes itself to the sudo user's processes unless told the
	// PIDs; the demo always names them, and clears SUDO_USER so that a
	// `sudo make demo` does not filter its own root children out.
	t.cmd.Env = append(os.Environ(), "SUDO_USER=")
	// Without a writer of the caller's, stdout (the live view) is kept
	// for the summary; stderr is read line by line for the status.
	var outPipe io.Reader
	t.cmd.Stdout = stdout
	if stdout == nil {
		if outPipe, err = t.cmd.StdoutPipe(); err != nil {
			return nil, fmt.Errorf("starting ingero trace: %w", err)
		}
	}
	errPipe, err := t.cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("starting ingero trace: %w", err)
	}
	if err := t.cmd.Start(); err != nil {
		statusR.Close()
		return nil, fmt.Errorf("starting ingero trace: %w", err)
	}
	var readers sync.WaitGroup
	if outPipe != nil {
		readers.Go(func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := outPipe.Read(buf)
				t.mu.Lock()
				t.stdout.Write(buf[:n])
				t.mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	readers.Go(func() {
		defer statusR.Close()
		sc := bufio.NewScanner(statusR)
		for sc.Scan() {
			var st traceStatus
			if json.Unmarshal(sc.Bytes(), &st) == nil {
				t.mu.Lock()
				t.status = append(t.status, st)
				t.mu.Unlock()
			}
		}
	})
	readers.Go(func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			t.mu.Lock()
			t.lines = append(t.lines, sc.Text())
			t.mu.Unlock()
		}
	})
	go func() {
		readers.Wait() // Wait closes the pipes: read them to the end first
		t.err = t.cmd.Wait()
		close(t.done)
	}()
	return t, nil
}

// waitStatus waits until trace has reported a status line that ok
// accepts; what names it in errors ("attached", "tracing PID 4821").
func (t *tracer) waitStatus(ctx context.Context, what string, ok func(traceStatus) bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		t.mu.Lock()
		for _, st := range t.status {
			if ok(st) {
				t.mu.Unlock()
				return nil
			}
		}
		t.mu.Unlock()
		select {
		case <-t.done:
			return fmt.Errorf("ingero trace exited (%v) before %s:\n%s", t.err, what, t.stderr())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ingero trace did not report %s within %v:\n%s", what, timeout, t.stderr())
		}
	}
}

func (t *tracer) stderr() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// stop sends SIGINT, as Ctrl-C does, and waits for trace to write its
// last events and exit.
func (t *tracer) stop() error {
	t.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-t.done:
	case <-time.After(30 * time.Second):
		t.cmd.Process.Kill()
		<-t.done
	}
	if t.err != nil {
		return fmt.Errorf("ingero trace: %w:\n%s", t.err, t.stderr())
	}
	return nil
}

// summary is trace's exit summary (what it recorded, what it lost) and
// its last live view, as a user sees them when trace stops.
func (t *tracer) summary() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	out := t.stdout.String()
	if i := strings.LastIndex(out, "--- ingero trace "); i >= 0 {
		b.WriteString(out[i:])
	}
	for _, l := range t.lines {
		if strings.HasPrefix(l, "ingero trace: ") && strings.Contains(l, " lost: ") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
