package standintest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// heavyCgroup is a cgroup of the cpu controller made for one test process,
// weighted as a hundred busy processes are: while its tasks want a CPU,
// the tasks of the rest of the host get about one percent of it.
type heavyCgroup struct {
	dir  string // the cgroup made for the test
	back string // the cgroup the test process came from
}

const (
	heavyShares = "102400" // cgroup v1 cpu.shares: 100 times a nice-0 task's 1024
	heavyWeight = "10000"  // cgroup v2 cpu.weight: the most, 100 times the default
)

// enterHeavyCgroup moves this process into a new heavyCgroup beside the
// one it is in. Its children, started after, are born there.
func enterHeavyCgroup() (*heavyCgroup, error) {
	mount, cur, v2, err := cpuCgroup()
	if err != nil {
		return nil, err
	}
	g := &heavyCgroup{back: filepath.Join(mount, cur)}
	g.dir = filepath.Join(g.back, fmt.Sprintf("ingero-e2e-%d", os.Getpid()))
	file, value := "cpu.shares", heavyShares
	if v2 {
		file, value = "cpu.weight", heavyWeight
	}
	if err := os.Mkdir(g.dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("making a cgroup: %w", err)
	}
	if err := os.WriteFile(filepath.Join(g.dir, file), []byte(value), 0); err != nil {
		os.Remove(g.dir)
		return nil, fmt.Errorf("weighting the cgroup: %w", err)
	}
	if err := movePID(g.dir); err != nil {
		os.Remove(g.dir)
		return nil, err
	}
	return g, nil
}

// leave moves this process back and removes the cgroup once the children
// it held have gone (a test's Cleanup kills them; they take a moment).
func (g *heavyCgroup) leave() error {
	if err := movePID(g.back); err != nil {
		return err
	}
	var err error
	for range 100 {
		if err = os.Remove(g.dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("removing %s (a child still in it?): %w", g.dir, err)
}

func movePID(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
		return fmt.Errorf("moving the test process into %s: %w", dir, err)
	}
	return nil
}

// cpuCgroup finds the hierarchy with the cpu controller and this process's
// cgroup in it: a cgroup v1 hierarchy of its own, or the unified v2 one
// where cpu is enabled for children of this process's cgroup.
func cpuCgroup() (mount, cur string, v2 bool, err error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", "", false, err
	}
	defer f.Close()
	v1Path, v2Path := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2Path = parts[2]
		case slices.Contains(strings.Split(parts[1], ","), "cpu"):
			v1Path = parts[2]
		}
	}
	if v1Path != "" {
		for _, m := range []string{"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"} {
			if _, err := os.Stat(filepath.Join(m, v1Path, "cpu.shares")); err == nil {
				return m, v1Path, false, nil
			}
		}
	}
	if v2Path != "" {
		ctl, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", v2Path, "cgroup.subtree_control"))
		if err == nil && slices.Contains(strings.Fields(string(ctl)), "cpu") {
			return "/sys/fs/cgroup", v2Path, true, nil
		}
	}
	return "", "", false, errors.New("no cgroup hierarchy with the cpu controller enabled for this process's children")
}
