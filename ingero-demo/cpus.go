package demo

import (
	"golang.org/x/sys/unix"
)

// cpuPlan says where a real scenario's processes run: the training loop
// and its CPU hogs share one CPU, so that the hog preempts it for sure;
// co-tenants run on another, so that their effect is the GPU's alone.
type cpuPlan struct {
	train, other int
}

// planCPUs takes the last CPU this process may use for training and the
// first for the others (the same one on a single-CPU machine).
func planCPUs() cpuPlan {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil || set.Count() == 0 {
		return cpuPlan{}
	}
	first, last := -1, 0
	for i := range 1024 {
		if set.IsSet(i) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return cpuPlan{train: last, other: first}
}
