package causal

import (
	"cmp"
	"fmt"
	"slices"
)

// ThreadAccount is where one thread's wall time went, from its first
// event to the end of the window: every nanosecond in exactly one of the
// buckets, which sum to WallNs.
type ThreadAccount struct {
	Node         string
	PID, TID     uint32
	Comm         string // the thread's own name
	FromNs, ToNs int64
	WallNs       int64
	GPUCalls     int64

	CUDANs     int64 // inside CUDA runtime or driver calls (on or off CPU)
	OnCPUNs    int64 // on-CPU between calls
	RunnableNs int64 // between calls, preempted: runnable while another task ran
	IOWaitNs   int64 // between calls, blocked uninterruptibly (D state): disk IO
	SleepingNs int64 // between calls, sleeping (S state): locks, queues, workers
	BlockedNs  int64 // between calls, off-CPU in an unrecorded state (older recordings)
	ExitedNs   int64 // after the process exited

	// GPUIdle* are the parts of the between-calls buckets during which the
	// GPU had drained (the thread's last call was a sync) and no other
	// call of the process or of another process on the GPU came.
	GPUIdleOnCPUNs, GPUIdleRunnableNs, GPUIdleIOWaitNs, GPUIdleSleepingNs, GPUIdleBlockedNs int64

	Preemptors []Preemptor // who held the CPU while it was runnable, most time first
	IO         ThreadIO    // block IO the thread submitted itself
}

// Preemptor is a task that took the CPU from the thread between calls;
// PID 0 and Comm "(other tasks)" sum those past the first 32.
type Preemptor struct {
	PID         uint32
	Comm        string
	Preemptions int64
	Ns          int64
}

// ThreadIO is the block IO one thread submitted.
type ThreadIO struct {
	Requests, Flushes     int64
	ReadBytes, WriteBytes int64
	LatencyNs             int64
	Devices               []string // major:minor
}

// GPUIdleNs is the time the GPU idled while the thread was between calls.
func (t *ThreadAccount) GPUIdleNs() int64 {
	return t.GPUIdleOnCPUNs + t.GPUIdleRunnableNs + t.GPUIdleIOWaitNs + t.GPUIdleSleepingNs + t.GPUIdleBlockedNs
}

// threadAccounts settles the accounts of the threads of p that made GPU
// calls, up to end.
func (e *engine) threadAccounts(p *proc, end int64) []ThreadAccount {
	var out []ThreadAccount
	for _, a := range p.threadList {
		if a.gpuCalls == 0 || a.first == 0 {
			continue
		}
		c := a.closed(end, p.exitNs, !e.busyElsewhere(p, a.callEnd))
		out = append(out, c.export(p))
	}
	slices.SortFunc(out, func(x, y ThreadAccount) int {
		return cmp.Or(cmp.Compare(y.GPUCalls, x.GPUCalls), cmp.Compare(x.TID, y.TID))
	})
	return out
}

func (a *account) export(p *proc) ThreadAccount {
	t := ThreadAccount{
		Node: p.node, PID: p.pid, TID: a.tid, Comm: a.comm, FromNs: a.first, ToNs: a.at, WallNs: a.wall(), GPUCalls: a.gpuCalls,
		CUDANs: a.ns[inCUDA], OnCPUNs: a.ns[onCPU], RunnableNs: a.ns[runnable], IOWaitNs: a.ns[ioWait],
		SleepingNs: a.ns[sleeping], BlockedNs: a.ns[blocked], ExitedNs: a.ns[exited],
		GPUIdleOnCPUNs: a.idle[onCPU], GPUIdleRunnableNs: a.idle[runnable], GPUIdleIOWaitNs: a.idle[ioWait],
		GPUIdleSleepingNs: a.idle[sleeping], GPUIdleBlockedNs: a.idle[blocked],
		IO: ThreadIO{Requests: a.io.requests, Flushes: a.io.flushes, ReadBytes: a.io.readBytes,
			WriteBytes: a.io.writeBytes, LatencyNs: a.io.latencyNs},
	}
	for _, d := range a.io.devices {
		t.IO.Devices = append(t.IO.Devices, devName(d))
	}
	for _, pr := range a.peers {
		if pr.ns > 0 || pr.times > 0 {
			pid := pr.pid
			if pr.peerKey == otherTasks {
				pid = 0 // the rest, summed: no one task
			}
			t.Preemptors = append(t.Preemptors, Preemptor{PID: pid, Comm: pr.comm, Preemptions: pr.times, Ns: pr.ns})
		}
	}
	slices.SortFunc(t.Preemptors, func(x, y Preemptor) int {
		return cmp.Or(cmp.Compare(y.Ns, x.Ns), cmp.Compare(x.PID, y.PID))
	})
	return t
}

// devName writes a dev_t as the kernel encodes it in block events
// (major<<20 | minor) the way lsblk shows it.
func devName(d uint64) string {
	return fmt.Sprintf("%d:%d", d>>20, d&(1<<20-1))
}
