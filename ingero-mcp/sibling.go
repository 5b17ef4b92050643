package mcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"ingero.dev/common/cli"
)

// errNoSibling is wrapped when neither the sibling binary nor the
// multiplexer can be found.
var errNoSibling = cli.ErrNoCommand

// sibling finds another ingero command to run as a process, since mcp
// may not link it (cli.Siblings); it returns the argv prefix.
func (s *server) sibling(name string) ([]string, error) {
	return cli.Siblings{Self: "mcp", Executable: s.executable, LookPath: s.lookPath}.Find(name)
}

// tail keeps the last bytes a child wrote, for its error message.
type tail struct{ buf []byte }

const tailCap = 8 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailCap {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailCap:]...)
	}
	return len(p), nil
}

// lastLine is the child's last non-empty line: its error, by the
// convention every ingero command follows.
func (t *tail) lastLine() string {
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// runSibling runs argv with no stdin (over stdio, ours is the MCP
// channel) and returns its stdout, up to maxOut bytes.
func runSibling(ctx context.Context, timeout time.Duration, maxOut int, argv []string) (stdout []byte, code int, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out limited
	out.max = maxOut
	var errs tail
	cmd.Stdout, cmd.Stderr = &out, &errs
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return nil, -1, fmt.Errorf("'%s' ran past %s and was stopped", strings.Join(argv, " "), timeout)
	case errors.As(err, &ee):
		return out.Bytes(), ee.ExitCode(), fmt.Errorf("'%s' failed (exit %d): %s", strings.Join(argv, " "), ee.ExitCode(), errs.lastLine())
	case err != nil:
		return nil, -1, fmt.Errorf("running '%s': %w", strings.Join(argv, " "), err)
	case out.over:
		return nil, 0, fmt.Errorf("'%s' wrote more than %d bytes", strings.Join(argv, " "), maxOut)
	}
	return out.Bytes(), 0, nil
}

// limited is a buffer that stops growing at max.
type limited struct {
	bytes.Buffer
	max  int
	over bool
}

func (l *limited) Write(p []byte) (int, error) {
	n := len(p) // what was asked: a short count would fail the copy
	if room := l.max - l.Len(); len(p) > room {
		l.over = true
		p = p[:max(room, 0)]
	}
	l.Buffer.Write(p)
	return n, nil
}
