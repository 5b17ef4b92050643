package trace

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ingero.dev/bpf/standin/standintest"
	"ingero.dev/common/testenv"
)

// smallFS mounts a fresh ext4 file system of size bytes, loop-mounted from
// an image in a temporary directory, and returns its mount point.
func smallFS(t *testing.T, size int64) string {
	t.Helper()
	testenv.RequireRoot(t, "mounting a small file system")
	mkfs := testenv.RequireTool(t, "mkfs.ext4", "e2fsprogs")
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "fs.img"), filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, size); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mkfs, "-q", "-F", "-m", "0", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v: %s", err, out)
	}
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		testenv.Unavailable(t, "cannot loop-mount a file system here: "+strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", mnt, err, out)
		}
	})
	return mnt
}

// TestDiskFullStopsOnlyTheRecording fills a 6 MiB file system under a
// launch storm. Recording to it must stop with one clear line when the
// disk fills; tracing goes on (a run started after that is still seen in
// full in the stream written beside it, on another disk), and what was
// written before is intact: integrity_check ok, explain reads it.
func TestDiskFullStopsOnlyTheRecording(t *testing.T) {
	standintest.RequireBPF(t)
	art := standintest.Require(t)
	sqlite := testenv.RequireTool(t, "sqlite3", "sqlite3")
	mnt := smallFS(t, 6<<20)
	db, streamFile := filepath.Join(mnt, "ingero.db"), filepath.Join(t.TempDir(), "t.stream")
	tr := startTrace(t, "-d", db, "--max-db", "0", "--stream", streamFile)
	tr.waitLine("ingero trace: watching every CUDA process", 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	free := []string{"STANDIN_LAUNCH_NS=" + launchNs(), "STANDIN_RUNTIME_NS=0", "STANDIN_KERNEL_NS=0", "STANDIN_KERNEL_BLOCK_NS=0"}
	load, err := art.Start(ctx, free, "--pattern", "launch-storm", "--duration", "90s")
	if err != nil {
		t.Fatal(err)
	}
	defer load.Cmd.Process.Kill()
	tr.waitLine("tracing PID "+strconv.Itoa(load.PID())+" ", 10*time.Second)
	if err := load.Release(); err != nil {
		t.Fatal(err)
	}
	tr.waitLine("no space left on device", 60*time.Second)
	t.Logf("disk full: %s", lineWith(tr.stderr(), "no space left"))
	// Tracing goes on: a run after the disk filled is seen call for call.
	marker := runTraced(t, tr, art, nil, "--pattern", "basic", "--iterations", "5")
	load.Cmd.Process.Kill()
	load.Wait()
	code := tr.stopCode()
	t.Logf("exit %d; stderr:\n%s", code, tr.stderr())
	// The live view went on: its last summary counts the marker's calls.
	if v := tr.stdoutText(); !strings.Contains(v[strings.LastIndex(v, "--- ingero trace"):], "cudaMalloc section=runtime") {
		t.Errorf("the live view's last summary misses the run after the disk filled:\n%s", v[strings.LastIndex(v, "--- ingero trace"):])
	}
	evs := allEvents(t, streamFile)
	assertSameCounts(t, "the stream, after the database's disk filled", wantCounts(marker), gotCounts(ofPID(evs, uint32(marker.PID))))

	if out := explain(t, "-d", db); !strings.Contains(out, "event") {
		t.Errorf("explain after the disk filled printed:\n%s", out)
	}
	// The check runs on a copy: the sqlite3 shell maps its -shm and dies
	// of SIGBUS on a file system with no room for it.
	roomy := filepath.Join(t.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		if b, err := os.ReadFile(db + suffix); err == nil {
			if err := os.WriteFile(roomy+suffix, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	out, err := exec.Command(sqlite, roomy, "PRAGMA integrity_check").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("PRAGMA integrity_check after the disk filled: %v: %s", err, out)
	}
	if code != 1 || strings.Count(tr.stderr(), "output stopped") != 1 {
		t.Errorf("exit %d, want 1 (the recording failed), and one 'output stopped' line", code)
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
