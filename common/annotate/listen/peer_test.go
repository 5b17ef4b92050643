package listen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"ingero.dev/common/annotate/emit"
	"ingero.dev/common/testenv"
)

// The child of TestForgedRequestIDIsTheSendersNotTheServers: it claims a
// request of the server's process, then one of its own, and exits.
func init() {
	path := os.Getenv("INGERO_LISTEN_TEST_CHILD")
	if path == "" {
		return
	}
	c, err := emit.Dial(path)
	if err != nil {
		os.Exit(3)
	}
	server, _ := strconv.ParseUint(os.Getenv("INGERO_LISTEN_TEST_SERVER_PID"), 10, 32)
	pid := uint32(server)
	// Labelling the server's events is refused: it is not this user's.
	c.Send(emit.Message{Kind: emit.KindPoint, RequestID: "req-forged", PID: &pid})
	c.Begin("req-forged", map[string]string{"tenant": "victim"})
	c.End("req-forged")
	c.Close()
	os.Exit(0)
}

// A request_id sent by another user's process is recorded as that
// process's, with its uid, whatever it claims: the kernel's credentials,
// not the message, say who spoke.
func TestForgedRequestIDIsTheSendersNotTheServers(t *testing.T) {
	testenv.RequireRoot(t, "running a child as another user")
	const nobody = 65534
	// The child must reach the socket and its own binary: t.TempDir and
	// go test's build directory are root's alone.
	dir, err := os.MkdirTemp("", "ingero-listen-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	s := start(t, Config{Path: filepath.Join(dir, "annotate.sock"), GID: nobody})
	self := filepath.Join(dir, "child.test")
	copyFile(t, self)
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), "INGERO_LISTEN_TEST_CHILD="+s.cfg.Path,
		"INGERO_LISTEN_TEST_SERVER_PID="+strconv.Itoa(os.Getpid()))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s.Close() // waits for the child's connection to be handled
	got := s.Drain()
	if len(got) != 1 {
		t.Fatalf("%d annotations, want the one span: %+v", len(got), got)
	}
	a := got[0]
	if a.Labels["request_id"] != "req-forged" || a.SpanEnd == 0 {
		t.Fatalf("annotation %+v", a)
	}
	if a.Sender == nil || a.Sender.UID != nobody || a.Sender.GID != nobody || a.Sender.PID != uint32(cmd.Process.Pid) {
		t.Errorf("sender %+v, want uid/gid %d and pid %d", a.Sender, nobody, cmd.Process.Pid)
	}
	if a.PID != uint32(cmd.Process.Pid) || a.PID == uint32(os.Getpid()) {
		t.Errorf("labels pid %d, want the child's %d (the server is %d)", a.PID, cmd.Process.Pid, os.Getpid())
	}
	if st := s.Stats(); st.Dropped[ReasonPID] != 1 {
		t.Errorf("the claim on the server's pid was not refused: %v", st.Dropped)
	}
}

// copyFile copies the test binary to dst, executable by anyone.
func copyFile(t *testing.T, dst string) {
	t.Helper()
	src, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(dst, b, 0o755))
}
