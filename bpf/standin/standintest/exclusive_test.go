package standintest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ingero.dev/common/testenv"
)

// TestExclusiveRunsInAHeavyCgroup: inside Exclusive the test process and
// the children it starts sit in a cgroup weighted over the rest of the
// host; after it, the process is back where it was and the cgroup gone.
func TestExclusiveRunsInAHeavyCgroup(t *testing.T) {
	testenv.RequireRoot(t, "making a cgroup")
	mount, cur, _, err := cpuCgroup()
	if err != nil {
		testenv.Unavailable(t, err.Error())
	}
	before := cgroupOf(t, "self")
	var dir string
	t.Run("inside", func(t *testing.T) {
		Exclusive(t)
		dir = filepath.Join(mount, cur, "ingero-e2e-"+itoa(os.Getpid()))
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("no cgroup %s: %v", dir, err)
		}
		child := exec.Command("sleep", "0.2")
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		got := cgroupOf(t, itoa(child.Process.Pid))
		child.Wait()
		if got == before || !strings.HasSuffix(got, "/ingero-e2e-"+itoa(os.Getpid())) {
			t.Errorf("a child's cpu cgroup %q, the test's before %q: want the new one", got, before)
		}
	})
	if after := cgroupOf(t, "self"); after != before {
		t.Errorf("after Exclusive the test is in %q, was in %q", after, before)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cgroup %s left behind (%v)", dir, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// cgroupOf is the cpu cgroup path of a process in /proc/PID/cgroup.
func cgroupOf(t *testing.T, pid string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	v2 := ""
	for line := range strings.Lines(string(data)) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if slices.Contains(strings.Split(parts[1], ","), "cpu") {
			return parts[2]
		}
		if parts[0] == "0" {
			v2 = parts[2]
		}
	}
	return v2
}
