package demo

import (
	"io"
	"os"
	"strings"
	"testing"

	"ingero.dev/common/testenv"
)

// TestConfineCleansUp: confine makes the cgroup (and a swap file when the
// host has none) and close leaves neither behind, nor the swap enabled.
func TestConfineCleansUp(t *testing.T) {
	testenv.RequireRoot(t, "making cgroups and swap")
	dir, err := os.MkdirTemp(".", "swaptest-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if !onDisk(dir) {
		testenv.Unavailable(t, "the working directory is tmpfs: no swap file there")
	}
	c, err := confine(dir, 48<<20, io.Discard)
	if err != nil {
		testenv.Unavailable(t, err.Error())
	}
	swap, group := c.swap, c.group.Dir
	t.Logf("cgroup %s, swap file %q", group, swap)
	if swap != "" && !listedIn("/proc/swaps", swap) {
		t.Errorf("%s made but not enabled", swap)
	}
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(group); !os.IsNotExist(err) {
		t.Errorf("cgroup %s left behind", group)
	}
	if swap != "" {
		if _, err := os.Stat(swap); !os.IsNotExist(err) || listedIn("/proc/swaps", swap) {
			t.Errorf("swap file %s left behind or still enabled", swap)
		}
	}
}

func listedIn(file, s string) bool {
	b, _ := os.ReadFile(file)
	return strings.Contains(string(b), s)
}
