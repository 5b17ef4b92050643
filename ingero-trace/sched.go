package trace

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// yieldToWorkloads puts every thread of trace in SCHED_BATCH: the same
// share of the CPU as before (nice is kept), but a thread of trace that
// wakes up no longer preempts the task running on its CPU. A ring reader
// is woken by a probe the workload itself just hit; on a loaded host,
// where no CPU is idle, that wakeup took the CPU from the workload right
// after its CUDA call, and the scheduler then handed it to other tasks
// for a whole slice: trace made the very preemptions it reports. Threads
// started later inherit the policy from the thread that starts them.
func yieldToWorkloads() error {
	// Twice: a thread started while the first pass ran may have been
	// cloned from a thread not yet switched.
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("listing trace's threads: %w", err)
		}
		for _, task := range tasks {
			tid, err := strconv.Atoi(task.Name())
			if err != nil {
				continue
			}
			attr, err := unix.SchedGetAttr(tid, 0)
			if err != nil {
				continue // the thread has exited
			}
			if attr.Policy == unix.SCHED_BATCH {
				continue
			}
			attr.Policy = unix.SCHED_BATCH
			if err := unix.SchedSetAttr(tid, attr, 0); err != nil && err != unix.ESRCH {
				return fmt.Errorf("setting SCHED_BATCH on thread %d: %w", tid, err)
			}
		}
	}
	return nil
}
