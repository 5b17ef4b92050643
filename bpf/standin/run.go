package standin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Run is a workload started by Start: set up, both libraries mapped, and
// held before its first counted call until Release.
type Run struct {
	Cmd            *exec.Cmd
	dir            string
	stdout, stderr bytes.Buffer
	done           chan struct{}
	err            error
}

// Start runs the workload with args (plus env over os.Environ) and returns
// once it is ready, so that a tracer can discover and attach to it first.
func (a *Artifacts) Start(ctx context.Context, env []string, args ...string) (*Run, error) {
	dir, err := os.MkdirTemp("", "standin-run-")
	if err != nil {
		return nil, fmt.Errorf("starting workload: %w", err)
	}
	ready := filepath.Join(dir, "ready")
	args = append(args, "--ready-file", ready, "--wait-file", filepath.Join(dir, "go"))
	r := &Run{Cmd: exec.CommandContext(ctx, a.Workload, args...), dir: dir, done: make(chan struct{})}
	r.Cmd.Env = append(os.Environ(), env...)
	r.Cmd.Stdout, r.Cmd.Stderr = &r.stdout, &r.stderr
	if err := r.Cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting workload: %w", err)
	}
	go func() {
		r.err = r.Cmd.Wait()
		close(r.done)
	}()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(ready); err == nil {
			return r, nil
		}
		select {
		case <-r.done:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("starting workload: exited before it was ready: %v: %s", r.err, r.stderr.Bytes())
		case <-ctx.Done():
			<-r.done
			os.RemoveAll(dir)
			return nil, fmt.Errorf("starting workload: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// PID is the workload's process id.
func (r *Run) PID() int { return r.Cmd.Process.Pid }

// Release lets the workload run its pattern.
func (r *Run) Release() error {
	if err := os.WriteFile(filepath.Join(r.dir, "go"), nil, 0o644); err != nil {
		return fmt.Errorf("releasing workload: %w", err)
	}
	return nil
}

// Wait waits for the workload to exit and returns its counts.
func (r *Run) Wait() (*Counts, error) {
	<-r.done
	os.RemoveAll(r.dir)
	if r.err != nil {
		return nil, fmt.Errorf("workload: %w: %s", r.err, r.stderr.Bytes())
	}
	out := bytes.TrimSpace(r.stdout.Bytes())
	if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	if len(out) == 0 {
		return nil, errors.New("workload: printed no counts")
	}
	return ParseCounts(out)
}
