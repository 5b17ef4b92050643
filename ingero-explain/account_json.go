package explain

import (
	"math"

	"ingero.dev/common/causal"
)

// jsonThread is one thread's wall-time account (docs/json.md): the
// buckets sum to wall_ns.
type jsonThread struct {
	TID      uint32        `json:"tid"`
	Name     string        `json:"name"`
	From     string        `json:"from"`
	To       string        `json:"to"`
	WallNs   int64         `json:"wall_ns"`
	GPUCalls int64         `json:"gpu_calls"`
	Buckets  jsonBuckets   `json:"buckets"`
	GPUIdle  jsonIdle      `json:"gpu_idle"`
	Preempt  []jsonPreempt `json:"preempted_by"`
	IO       jsonThreadIO  `json:"io"`
}

type jsonBuckets struct {
	CUDANs     int64 `json:"cuda_ns"`
	OnCPUNs    int64 `json:"on_cpu_ns"`
	RunnableNs int64 `json:"runnable_ns"`
	IOWaitNs   int64 `json:"io_wait_ns"`
	SleepingNs int64 `json:"sleeping_ns"`
	UnknownNs  int64 `json:"off_cpu_unknown_ns"`
	ExitedNs   int64 `json:"exited_ns"`
}

type jsonIdle struct {
	OnCPUNs    int64 `json:"on_cpu_ns"`
	RunnableNs int64 `json:"runnable_ns"`
	IOWaitNs   int64 `json:"io_wait_ns"`
	SleepingNs int64 `json:"sleeping_ns"`
	UnknownNs  int64 `json:"off_cpu_unknown_ns"`
}

type jsonPreempt struct {
	PID         uint32 `json:"pid"`
	Comm        string `json:"comm"`
	Preemptions int64  `json:"preemptions"`
	Ns          int64  `json:"ns"`
}

type jsonThreadIO struct {
	Requests   int64    `json:"requests"`
	Flushes    int64    `json:"flushes"`
	ReadBytes  int64    `json:"read_bytes"`
	WriteBytes int64    `json:"write_bytes"`
	LatencyNs  int64    `json:"latency_ns"`
	Devices    []string `json:"devices"`
}

func threadJSON(a *causal.ThreadAccount) jsonThread {
	t := jsonThread{TID: a.TID, Name: a.Comm, From: stamp(a.FromNs), To: stamp(a.ToNs), WallNs: a.WallNs, GPUCalls: a.GPUCalls,
		Buckets: jsonBuckets{CUDANs: a.CUDANs, OnCPUNs: a.OnCPUNs, RunnableNs: a.RunnableNs, IOWaitNs: a.IOWaitNs,
			SleepingNs: a.SleepingNs, UnknownNs: a.BlockedNs, ExitedNs: a.ExitedNs},
		GPUIdle: jsonIdle{OnCPUNs: a.GPUIdleOnCPUNs, RunnableNs: a.GPUIdleRunnableNs, IOWaitNs: a.GPUIdleIOWaitNs,
			SleepingNs: a.GPUIdleSleepingNs, UnknownNs: a.GPUIdleBlockedNs},
		Preempt: []jsonPreempt{},
		IO: jsonThreadIO{Requests: a.IO.Requests, Flushes: a.IO.Flushes, ReadBytes: a.IO.ReadBytes, WriteBytes: a.IO.WriteBytes,
			LatencyNs: a.IO.LatencyNs, Devices: append([]string{}, a.IO.Devices...)},
	}
	for _, p := range a.Preemptors {
		t.Preempt = append(t.Preempt, jsonPreempt{PID: p.PID, Comm: p.Comm, Preemptions: p.Preemptions, Ns: p.Ns})
	}
	return t
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
