package annotate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ingero.dev/common/annotate/listen"
	"ingero.dev/common/cli"
)

func server(t *testing.T) *listen.Server {
	t.Helper()
	s, err := listen.Listen(listen.Config{Path: filepath.Join(t.TempDir(), "a.sock"), GID: -1, Node: "n"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// settle waits until the server has queued n annotations: the command
// returns once its lines are sent, before the server reads them.
func settle(t *testing.T, s *listen.Server, n uint64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for s.Stats().Recorded < n {
		if time.Now().After(deadline) {
			t.Fatalf("the server queued %d of %d annotations in a minute", s.Stats().Recorded, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func run(args ...string) (int, string) {
	var out, errw bytes.Buffer
	code := cli.Run(New(cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errw}), args, cli.Stdio{Out: &out, Err: &errw})
	return code, out.String() + errw.String()
}

func TestPointLabelsEveryProcessByDefault(t *testing.T) {
	s := server(t)
	sock := s.Path()
	if code, out := run("--socket", sock, "step=1234", "epoch=3"); code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	settle(t, s, 1) // in order
	if code, out := run("--socket", sock, "--pid", "1", "phase=eval"); code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	settle(t, s, 2)
	got := s.Drain()
	if len(got) != 2 {
		t.Fatalf("%+v", got)
	}
	if got[0].PID != 0 || got[0].Labels["step"] != "1234" || got[0].Labels["epoch"] != "3" || got[0].SpanStart != 0 {
		t.Errorf("point %+v", got[0])
	}
	if got[0].Sender == nil || got[0].Sender.PID != uint32(os.Getpid()) {
		t.Errorf("sender %+v", got[0].Sender)
	}
	// Root may label pid 1; anyone else is refused and counted.
	if os.Getuid() == 0 && got[1].PID != 1 {
		t.Errorf("--pid 1: %+v", got[1])
	}
}

func TestSpanAroundACommand(t *testing.T) {
	s := server(t)
	code, out := run("--socket", s.Path(), "--request-id", "batch-7", "model=m", "--", "sh", "-c", "echo hi; exit 3")
	if code != 3 || !strings.Contains(out, "hi") {
		t.Fatalf("exit %d, want the command's 3: %s", code, out)
	}
	settle(t, s, 1)
	got := s.Drain()
	if len(got) != 1 {
		t.Fatalf("%+v", got)
	}
	a := got[0]
	if a.Labels["request_id"] != "batch-7" || a.Labels["model"] != "m" || a.SpanEnd <= a.SpanStart {
		t.Errorf("span %+v", a)
	}
	if a.PID == 0 || a.PID == uint32(os.Getpid()) {
		t.Errorf("span labels pid %d, want the command's", a.PID)
	}
}

func TestUsageAndRuntimeErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{nil, cli.ExitUsage, "give at least one LABEL=VALUE"},
		{[]string{"=x"}, cli.ExitUsage, `label "=x"`},
		{[]string{"a=1", "a=2"}, cli.ExitUsage, "label a is given twice"},
		{[]string{"--pid", "-1", "a=1"}, cli.ExitUsage, "--pid -1"},
		{[]string{"--pid", "3", "--", "true"}, cli.ExitUsage, "--pid does not apply with a COMMAND"},
		{[]string{"true"}, cli.ExitUsage, "needs --request-id"},
		{[]string{"--socket", "/nonexistent/a.sock", "a=1"}, cli.ExitRuntime, "is trace running"},
	} {
		code, out := run(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("%q: exit %d, %q; want %d and %q", tt.args, code, out, tt.code, tt.want)
		}
	}
}
