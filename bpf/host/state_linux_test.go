package host

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"ingero.dev/bpf/shared"
	"ingero.dev/common/event"
	"ingero.dev/common/testenv"
)

// TestOffCPUStateRecorded traces a shell that sleeps, then writes to a
// real disk with O_DIRECT and fsync: its blocked off-CPU intervals carry
// the state the thread left the CPU in, S (1) for the sleep and D (2) for
// the disk waits, which is what tells IO time from idle time.
func TestOffCPUStateRecorded(t *testing.T) {
	h := newHarness(t, Options{})
	dir, err := os.MkdirTemp(".", "state-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type == 0x01021994 { // TMPFS_MAGIC: no block device to wait on
		testenv.Unavailable(t, "the test directory is on tmpfs: O_DIRECT writes never block on a disk")
	}
	gate := filepath.Join(dir, "go")
	script := `while [ ! -e "$1" ]; do sleep 0.01; done; sleep 0.1; dd if=/dev/zero of="$2" bs=1M count=16 oflag=direct conv=fsync 2>/dev/null`
	sh := exec.Command("/bin/sh", "-c", script, "sh", gate, filepath.Join(dir, "data"))
	sh.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(-sh.Process.Pid, syscall.SIGKILL)
	if err := h.maps.Track(uint32(sh.Process.Pid), shared.Target{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gate, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sh.Wait(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the last records reach the ring reader
	var sleeping, disk, preempted int
	for _, e := range h.all() {
		if e.Op != event.SchedSwitch || e.Source != event.SourceHost {
			continue
		}
		switch {
		case e.Args[1] == 1:
			preempted++
		case e.Args[3]&1 != 0 && e.Comm == "sleep":
			sleeping++
		case e.Args[3]&2 != 0 && e.Comm == "dd":
			disk++
		}
		if e.Args[1] == 0 && e.Args[3] == 0 {
			t.Errorf("blocked switch-out with no state: %+v", e)
		}
	}
	if sleeping == 0 || disk == 0 {
		t.Errorf("off-CPU intervals: %d of sleep in S, %d of dd in D (%d preempted); want both", sleeping, disk, preempted)
	}
}
