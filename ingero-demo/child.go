package demo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// child is a process of a real scenario (a training loop, a co-tenant, a
// CPU hog). It speaks the stand-in workload's protocol, which the PyTorch
// script speaks too: it creates --ready-file once its CUDA libraries are
// loaded, then waits for --wait-file before it starts, so that trace is
// attached before the first call that counts.
type child struct {
	name   string
	cmd    *exec.Cmd
	dir    string
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// startChild starts argv and waits until it is ready. A child that
// holds (a workload) then waits for release; one that does not (a CPU
// hog) is at work from the start.
func startChild(ctx context.Context, name string, argv, env []string, holds bool, readyTimeout time.Duration) (*child, error) {
	dir, err := os.MkdirTemp("", "ingero-demo-child-")
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	ready := filepath.Join(dir, "ready")
	argv = append(argv, "--ready-file", ready)
	if holds {
		argv = append(argv, "--wait-file", filepath.Join(dir, "go"))
	}
	c := &child{name: name, cmd: exec.Command(argv[0], argv[1:]...), dir: dir, done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := os.Stat(ready); err == nil {
			return c, nil
		}
		select {
		case <-c.done:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("starting %s: it exited before it was ready (%v): %s", name, c.err, bytes.TrimSpace(c.stderr.Bytes()))
		case <-ctx.Done():
			c.stop()
			return nil, fmt.Errorf("starting %s: %w", name, ctx.Err())
		case <-deadline.C:
			c.stop()
			return nil, fmt.Errorf("starting %s: not ready after %v: %s", name, readyTimeout, bytes.TrimSpace(c.stderr.Bytes()))
		case <-tick.C:
		}
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// release lets the child start its work.
func (c *child) release() error {
	if err := os.WriteFile(filepath.Join(c.dir, "go"), nil, 0o644); err != nil {
		return fmt.Errorf("releasing %s: %w", c.name, err)
	}
	return nil
}

// wait waits for the child to finish on its own.
func (c *child) wait(ctx context.Context) error {
	select {
	case <-c.done:
	case <-ctx.Done():
		c.stop()
		return ctx.Err()
	}
	os.RemoveAll(c.dir)
	if c.err != nil {
		return fmt.Errorf("%s: %w: %s", c.name, c.err, bytes.TrimSpace(c.stderr.Bytes()))
	}
	return nil
}

// stop ends the child: SIGTERM (the workloads finish their step and
// exit), then SIGKILL if it is still there a few seconds later.
func (c *child) stop() {
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
	os.RemoveAll(c.dir)
}
