package emit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"ingero.dev/common/annotate/emit"
	"ingero.dev/common/annotate/listen"
)

// The Python emitter's unittest runs against a real socket; what arrived
// is checked here, sender included.
func TestPythonEmitter(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the Python emitter is not tested")
	}
	s, err := listen.Listen(listen.Config{Path: filepath.Join(t.TempDir(), "a.sock"), GID: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd := exec.Command(py, "-B", "-m", "unittest", "-v", "test_ingero_annotate")
	cmd.Dir = filepath.Join("..", "..", "..", "python")
	cmd.Env = append(os.Environ(), emit.SocketEnv+"="+s.Path())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python unittest: %v\n%s", err, out)
	}
	deadline := time.Now().Add(time.Minute)
	for s.Stats().Recorded < 5 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	got := s.Drain()
	var points, spans int
	for _, a := range got {
		if a.Sender == nil || a.Sender.PID != uint32(cmd.Process.Pid) || a.PID != a.Sender.PID {
			t.Errorf("annotation %+v: want the python process %d as sender and target", a, cmd.Process.Pid)
		}
		if a.SpanEnd != 0 {
			spans++
		} else {
			points++
		}
	}
	if points != 3 || spans != 2 {
		t.Errorf("%d points and %d spans, want 3 and 2: %+v", points, spans, got)
	}
	if st := s.Stats(); st.DroppedTotal() != 0 {
		t.Errorf("dropped %v", st.Dropped)
	}
}
