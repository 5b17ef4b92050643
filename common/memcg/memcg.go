// Package memcg makes a memory cgroup with a limit for one workload, so
// that memory pressure can be made real for that workload alone: the
// kernel reclaims and pages only the group's memory. It uses cgroup v2
// (memory.max) where the memory controller is there, else v1
// (memory.limit_in_bytes). Needs root.
package memcg

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Group is a memory cgroup made by New.
type Group struct {
	Dir string
	V2  bool
}

// roots are where cgroup v2 may be mounted (pure v2, then hybrid), and
// where the v1 memory controller is.
var (
	v2Roots = []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}
	v1Root  = "/sys/fs/cgroup/memory"
)

// New makes the group name (a fresh one: an old group of that name left by
// a killed run is removed first when empty) with its memory limited to
// limit bytes. Swap stays as the system has it.
func New(name string, limit int64) (*Group, error) {
	g, err := locate(name)
	if err != nil {
		return nil, err
	}
	_ = os.Remove(g.Dir)
	if err := os.Mkdir(g.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("making the memory cgroup %s: %w", g.Dir, err)
	}
	if err := os.WriteFile(g.LimitFile(), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
		os.Remove(g.Dir)
		return nil, fmt.Errorf("limiting the memory cgroup %s to %d bytes: %w", g.Dir, limit, err)
	}
	return g, nil
}

func locate(name string) (*Group, error) {
	for _, root := range v2Roots {
		c, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
		if err != nil || !hasWord(c, "memory") {
			continue
		}
		// The controller must be enabled for children of the root.
		sub := filepath.Join(root, "cgroup.subtree_control")
		if s, err := os.ReadFile(sub); err == nil && !hasWord(s, "memory") {
			if err := os.WriteFile(sub, []byte("+memory"), 0o644); err != nil {
				return nil, fmt.Errorf("enabling the memory controller in %s (run as root): %w", sub, err)
			}
		}
		return &Group{Dir: filepath.Join(root, name), V2: true}, nil
	}
	if _, err := os.Stat(filepath.Join(v1Root, "memory.limit_in_bytes")); err == nil {
		return &Group{Dir: filepath.Join(v1Root, name)}, nil
	}
	return nil, errors.New("no memory cgroup controller: mount cgroup v2 with the memory controller (or v1's memory hierarchy)")
}

func hasWord(b []byte, w string) bool {
	for _, f := range bytes.Fields(b) {
		if string(f) == w {
			return true
		}
	}
	return false
}

// LimitFile is the file that holds the group's limit: memory.max (v2) or
// memory.limit_in_bytes (v1).
func (g *Group) LimitFile() string {
	if g.V2 {
		return filepath.Join(g.Dir, "memory.max")
	}
	return filepath.Join(g.Dir, "memory.limit_in_bytes")
}

// Add moves a process (all its threads) into the group.
func (g *Group) Add(pid int) error {
	if err := os.WriteFile(filepath.Join(g.Dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return fmt.Errorf("moving PID %d into %s: %w", pid, g.Dir, err)
	}
	return nil
}

// Reclaims reads how often the group hit its limit (v2 memory.events
// "max", v1 memory.failcnt).
func (g *Group) Reclaims() (uint64, error) {
	if !g.V2 {
		b, err := os.ReadFile(filepath.Join(g.Dir, "memory.failcnt"))
		if err != nil {
			return 0, err
		}
		return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	}
	b, err := os.ReadFile(filepath.Join(g.Dir, "memory.events"))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "max "); ok {
			return strconv.ParseUint(v, 10, 64)
		}
	}
	return 0, nil
}

// Close moves any process left to the parent group and removes the group.
func (g *Group) Close() error {
	if b, err := os.ReadFile(filepath.Join(g.Dir, "cgroup.procs")); err == nil {
		parent := filepath.Join(filepath.Dir(g.Dir), "cgroup.procs")
		for _, pid := range strings.Fields(string(b)) {
			_ = os.WriteFile(parent, []byte(pid), 0o644)
		}
	}
	if err := os.Remove(g.Dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the memory cgroup %s: %w", g.Dir, err)
	}
	return nil
}
