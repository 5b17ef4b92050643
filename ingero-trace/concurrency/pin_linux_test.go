package concurrency

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// cpuList parses a taskset-style list such as "2-3" or "4,6-7"; empty is
// no pinning.
func cpuList(s string) ([]int, error) {
	var cpus []int
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a {
			return nil, fmt.Errorf("CPU list %q: want numbers and ranges such as 2-3,6", s)
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

func envCPUs(name string) ([]int, error) {
	cpus, err := cpuList(os.Getenv(name))
	if err != nil {
		return nil, fmt.Errorf("$%s: %w", name, err)
	}
	return cpus, nil
}

// pinned runs start, which must start processes, on a thread bound to
// cpus: a child inherits the CPU mask of the thread that forks it, so the
// processes run there from their first instruction, every thread of them,
// whatever the test process itself is bound to. Empty cpus pins nothing.
func pinned(cpus []int, start func() error) error {
	if len(cpus) == 0 {
		return start()
	}
	runtime.LockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("reading the CPU mask: %w", err)
	}
	for _, c := range cpus {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("pinning to CPUs %v (does the host have them?): %w", cpus, err)
	}
	err := start()
	if rerr := unix.SchedSetaffinity(0, &old); rerr != nil {
		// Still locked: the thread ends with this goroutine instead of
		// running other goroutines on the pinned CPUs.
		return fmt.Errorf("restoring the CPU mask: %w", rerr)
	}
	runtime.UnlockOSThread()
	return err
}
