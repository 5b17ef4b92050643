package memcg

import (
	"os"
	"os/exec"
	"strconv"
	"testing"

	"ingero.dev/common/testenv"
)

// TestGroupLimitsAndCleansUp: a process moved into a 16 MiB group that
// writes 64 MiB through the page cache makes the group hit its limit, and
// Close leaves nothing behind.
func TestGroupLimitsAndCleansUp(t *testing.T) {
	testenv.RequireRoot(t, "making cgroups")
	g, err := New("ingero-memcg-test-"+strconv.Itoa(os.Getpid()), 16<<20)
	if err != nil {
		testenv.Unavailable(t, err.Error())
	}
	defer g.Close()
	f := t.TempDir() + "/data"
	cmd := exec.Command("sh", "-c", "read x; dd if=/dev/zero of="+f+" bs=1M count=64 2>/dev/null; cat "+f+" >/dev/null")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := g.Add(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte("go\n")) // only now in the group: the writes are charged there
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	n, err := g.Reclaims()
	if err != nil || n == 0 {
		t.Errorf("limit hits = %d, %v", n, err)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(g.Dir); !os.IsNotExist(err) {
		t.Errorf("%s left behind: %v", g.Dir, err)
	}
}
