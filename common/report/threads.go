package report

import "ingero.dev/common/causal"

// Thread is one thread's wall-time account (docs/json.md): the buckets
// sum to wall_ns.
type Thread struct {
	TID      uint32      `json:"tid"`
	Name     string      `json:"name"`
	From     string      `json:"from"`
	To       string      `json:"to"`
	WallNs   int64       `json:"wall_ns"`
	GPUCalls int64       `json:"gpu_calls"`
	Buckets  Buckets     `json:"buckets"`
	GPUIdle  GPUIdle     `json:"gpu_idle"`
	Preempt  []Preemptor `json:"preempted_by"`
	IO       ThreadIO    `json:"io"`
}

// Buckets hold every ns of the thread's time in exactly one.
type Buckets struct {
	CUDANs     int64 `json:"cuda_ns"`
	OnCPUNs    int64 `json:"on_cpu_ns"`
	RunnableNs int64 `json:"runnable_ns"`
	IOWaitNs   int64 `json:"io_wait_ns"`
	SleepingNs int64 `json:"sleeping_ns"`
	UnknownNs  int64 `json:"off_cpu_unknown_ns"`
	ExitedNs   int64 `json:"exited_ns"`
}

// GPUIdle is the part of each between-calls bucket with the GPU idle.
type GPUIdle struct {
	OnCPUNs    int64 `json:"on_cpu_ns"`
	RunnableNs int64 `json:"runnable_ns"`
	IOWaitNs   int64 `json:"io_wait_ns"`
	SleepingNs int64 `json:"sleeping_ns"`
	UnknownNs  int64 `json:"off_cpu_unknown_ns"`
}

// Preemptor took the CPU while the thread was runnable between calls.
type Preemptor struct {
	PID         uint32 `json:"pid"`
	Comm        string `json:"comm"`
	Preemptions int64  `json:"preemptions"`
	Ns          int64  `json:"ns"`
}

// ThreadIO is the block IO the thread submitted itself.
type ThreadIO struct {
	Requests   int64    `json:"requests"`
	Flushes    int64    `json:"flushes"`
	ReadBytes  int64    `json:"read_bytes"`
	WriteBytes int64    `json:"write_bytes"`
	LatencyNs  int64    `json:"latency_ns"`
	Devices    []string `json:"devices"`
}

// ThreadOf converts one thread's account.
func ThreadOf(a *causal.ThreadAccount) Thread {
	t := Thread{TID: a.TID, Name: a.Comm, From: Stamp(a.FromNs), To: Stamp(a.ToNs), WallNs: a.WallNs, GPUCalls: a.GPUCalls,
		Buckets: Buckets{CUDANs: a.CUDANs, OnCPUNs: a.OnCPUNs, RunnableNs: a.RunnableNs, IOWaitNs: a.IOWaitNs,
			SleepingNs: a.SleepingNs, UnknownNs: a.BlockedNs, ExitedNs: a.ExitedNs},
		GPUIdle: GPUIdle{OnCPUNs: a.GPUIdleOnCPUNs, RunnableNs: a.GPUIdleRunnableNs, IOWaitNs: a.GPUIdleIOWaitNs,
			SleepingNs: a.GPUIdleSleepingNs, UnknownNs: a.GPUIdleBlockedNs},
		Preempt: []Preemptor{},
		IO: ThreadIO{Requests: a.IO.Requests, Flushes: a.IO.Flushes, ReadBytes: a.IO.ReadBytes, WriteBytes: a.IO.WriteBytes,
			LatencyNs: a.IO.LatencyNs, Devices: append([]string{}, a.IO.Devices...)},
	}
	for _, p := range a.Preemptors {
		t.Preempt = append(t.Preempt, Preemptor{PID: p.PID, Comm: p.Comm, Preemptions: p.Preemptions, Ns: p.Ns})
	}
	return t
}
