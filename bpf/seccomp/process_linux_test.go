package seccomp

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"ingero.dev/common/testenv"
)

// filtered builds testdata/filtered.c and starts it in mode; it returns the
// pid of the filtered grandchild, which is killed at cleanup.
func filtered(t *testing.T, mode string) int {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "filtered")
	if out, err := exec.Command("gcc", "-O2", "-o", bin, "testdata/filtered.c").CombinedOutput(); err != nil {
		testenv.Unavailable(t, "building the seccomp helper with gcc: "+err.Error()+": "+string(out))
	}
	cmd := exec.Command(bin, mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", mode, err)
	}
	cmd.Wait()
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

// TestProcessVerdicts installs real filters in real processes and reads
// them back with ptrace.
func TestProcessVerdicts(t *testing.T) {
	if syscall.Geteuid() != 0 {
		testenv.Unavailable(t, "reading seccomp filters with ptrace needs root")
	}
	for _, tc := range []struct {
		mode string
		safe bool
		says string
	}{
		{"none", true, "no seccomp filter"},
		{"allow", true, "allows"},
		{"deny-other", true, "allows"},
		{"deny-uretprobe", false, "kill the process"},
		{"errno-uretprobe", false, "errno 1"},
		{"strict", false, "strict"},
	} {
		pid := filtered(t, tc.mode)
		v := Process(pid)
		if v.Safe != tc.safe || !strings.Contains(v.Reason, tc.says) {
			t.Errorf("%s: %+v, want safe %v saying %q", tc.mode, v, tc.safe, tc.says)
		}
		if err := syscall.Kill(pid, 0); err != nil {
			t.Errorf("%s: the process did not survive the inspection: %v", tc.mode, err)
		}
	}
}
