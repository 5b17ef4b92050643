package trace

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
)

// TestRecordingBelongsToTheSudoUser runs trace as root under sudo's
// variables and checks every file of the recording, while it records and
// after: mode 0640 at most (they hold process names and command lines)
// and owned by the user who ran sudo, so that they read it without root.
func TestRecordingBelongsToTheSudoUser(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db, streamFile := filepath.Join(dir, "ingero.db"), filepath.Join(dir, "t.stream")
	const uid, gid = 65534, 65534 // nobody, nogroup
	tr := startTraceEnv(t, []string{"SUDO_UID=65534", "SUDO_GID=65534"}, "-d", db, "--stream", streamFile)
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	runTraced(t, tr, art, nil, "--pattern", "basic", "--iterations", "3")
	checkModes := func(when string, want ...string) {
		t.Helper()
		for _, p := range want {
			fi, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %v", when, err)
				continue
			}
			st := fi.Sys().(*syscall.Stat_t)
			if fi.Mode().Perm()&^fs.FileMode(0o640) != 0 || st.Uid != uid || st.Gid != gid {
				t.Errorf("%s: %s is %v owned by %d:%d; want at most 0640, owned by %d:%d", when, filepath.Base(p), fi.Mode().Perm(), st.Uid, st.Gid, uid, gid)
			}
		}
	}
	checkModes("while recording", db, db+"-wal", db+"-shm", streamFile)
	tr.stop()
	checkModes("after the stop", db, streamFile)
}
