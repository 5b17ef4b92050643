package causal

import "strings"

// culprit is a task that took the CPU from a process.
type culprit struct {
	peerKey
	preempts     int64 // sched_switch: times it preempted the process
	offNs        int64 // … and the process's off-CPU time
	firstPreempt int64 // its first preemption
	onNs         int64 // cpu_contention: its time on the process's CPUs
	switches     int64
	peak         timed // its busiest summary: when, and on-CPU ns
	peakCPU      uint64
	cpus         cpuSet // CPUs it preempted the process on
}

// otherTasks stands for the preemptors past maxCulprits, so that a host
// spawning thousands of short-lived tasks cannot grow the state.
var otherTasks = peerKey{pid: 1<<32 - 1, comm: "(other tasks)"}

// culprit returns p's record of the task, creating it.
func (p *proc) culprit(k peerKey) *culprit {
	if c := p.culpritBy[k]; c != nil {
		return c
	}
	if len(p.culprits) >= maxCulprits {
		k = otherTasks
		if c := p.culpritBy[k]; c != nil {
			return c
		}
	}
	if p.culpritBy == nil {
		p.culpritBy = make(map[peerKey]*culprit)
	}
	c := &culprit{peerKey: k}
	p.culprits = append(p.culprits, c)
	p.culpritBy[k] = c
	return c
}

// excludedPeer says whether a task must never be blamed: the idle task,
// the process itself (its own threads take turns), and ingero's own work,
// whose load would otherwise be reported as the user's problem.
func (e *engine) excludedPeer(pid uint32, comm string, victim uint32) bool {
	switch {
	case pid == 0, pid == victim, e.selfPID != 0 && pid == e.selfPID:
		return true
	}
	return ownComm(comm)
}

// ownComm matches ingero's own task names (the multiplexer, ingero-trace
// and their threads, which inherit the comm) and the idle tasks.
func ownComm(comm string) bool {
	return comm == "ingero" || strings.HasPrefix(comm, "ingero-") || strings.HasPrefix(comm, "swapper/")
}
