package report

import (
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

var t0 = time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC)

func at(d time.Duration) int64 { return t0.Add(d).UnixNano() }

func stats(pid uint32, comm string, src event.Source, o event.Op, calls, errs, p50, p95, p99 int64) causal.OpStats {
	return causal.OpStats{PID: pid, Comm: comm, Key: event.Key{Source: src, Op: o}, Name: event.OpName(src, o),
		Calls: calls, Errors: errs, P50: p50, P95: p95, P99: p99, MaxNs: p99 * 2, TotalNs: calls * p50,
		Share: float64(calls*p50) / float64(5*time.Minute)}
}

// fixtureReport is what the causal engine reports for a five-minute
// window of a training loop (PID 4821) preempted by logrotate, beside an
// embedding service (PID 5032) on the same GPU.
func fixtureReport() *causal.Report {
	per := []causal.OpStats{
		stats(4821, "vllm-worker", event.SourceDriver, event.CuLaunchKernel, 12847, 0, 4800, 11200, 16100),
		stats(4821, "vllm-worker", event.SourceCUDA, event.CudaMemcpyAsync, 892, 0, 38000, 124000, 891000),
		stats(4821, "vllm-worker", event.SourceCUDA, event.CudaMallocManaged, 14, 2, 112000, 2100000, 8400000),
		stats(4821, "vllm-worker", event.SourceHost, event.SchedSwitch, 40, 0, 1000, 2000, 3000),
		stats(5032, "embedding-svc", event.SourceDriver, event.CuLaunchKernel, 3201, 0, 5100, 12800, 19400),
		stats(5032, "embedding-svc", event.SourceCUDA, event.CudaMemcpy, 448, 0, 42000, 98000, 412000),
		stats(6000, "sshd", event.SourceHost, event.SchedWakeup, 9, 0, 0, 0, 0),
	}
	ops := []causal.OpStats{
		stats(0, "", event.SourceDriver, event.CuLaunchKernel, 16048, 0, 4900, 11900, 17800),
		stats(0, "", event.SourceCUDA, event.CudaMemcpyAsync, 892, 0, 38000, 124000, 891000),
		stats(0, "", event.SourceCUDA, event.CudaMemcpy, 448, 0, 42000, 98000, 412000),
	}
	return &causal.Report{FromNs: at(0), ToNs: at(5 * time.Minute), Events: 17461, Ops: ops, PerProcess: per,
		Contention: true, Chains: fixtureChains()}
}

func fixtureChains() []event.Chain {
	return []event.Chain{
		{
			ID: "gpu-node-07:cpu-preemption:cudaStreamSynchronize:4821", Node: "gpu-node-07", DetectedNs: at(150*time.Second + 2*time.Millisecond),
			Severity: event.SeverityHigh, Rule: "cpu-preemption", Op: "cudaStreamSynchronize", PID: 4821,
			Summary:   "cudaStreamSync p99=142ms (8.5x p50) - CPU contention",
			RootCause: "logrotate preempted training process 30 times",
			Fix:       "Add `nice -n 19` to logrotate cron, or pin training to dedicated cores",
			Timeline: []event.TimelineEntry{
				{TimeNs: at(150*time.Second + time.Millisecond), Layer: "HOST", Detail: "sched_switch: PID 8821 (logrotate) preempted PID 4821"},
				{TimeNs: at(150*time.Second + 2*time.Millisecond), Layer: "CUDA", Detail: "cudaStreamSync 142ms (normally 16.7ms)"},
			},
			Evidence: map[string]any{"preemptions": 30, "preemptor": "logrotate", "p99_ns": 142000000},
		},
		{
			ID: "gpu-node-07:memcpy-bound:cudaMemcpy:5032", Node: "gpu-node-07", DetectedNs: at(200 * time.Second),
			Severity: event.SeverityMedium, Rule: "memcpy-bound", Op: "cudaMemcpy", PID: 5032,
			Summary:   "cudaMemcpy takes 30% of embedding-svc's wall time & <more>",
			RootCause: "synchronous device-to-host copies of 64 KiB",
			Fix:       "Batch the copies, or use cudaMemcpyAsync from pinned memory",
			Timeline:  []event.TimelineEntry{{TimeNs: at(200 * time.Second), Layer: "CUDA", Detail: "cudaMemcpy D2H 64 KiB 44µs"}},
		},
	}
}

// fixtureSummary is what store.Reader.OpSummary gives for the window:
// rows per process, merged into one per op by NewSummaryStats.
func fixtureSummary() []store.OpStat {
	row := func(pid uint32, src event.Source, o event.Op, n, errs, sum, lo, hi int64) store.OpStat {
		return store.OpStat{PID: pid, Key: event.Key{Source: src, Op: o}, Name: event.OpName(src, o), Count: n, Errors: errs,
			DurSumNs: sum, DurMinNs: lo, DurMaxNs: hi, FirstNs: at(time.Second), LastNs: at(299 * time.Second)}
	}
	return []store.OpStat{
		row(4821, event.SourceDriver, event.CuLaunchKernel, 12847, 0, 61665600, 3000, 32200),
		row(5032, event.SourceDriver, event.CuLaunchKernel, 3201, 0, 16325100, 3100, 38800),
		row(5032, event.SourceCUDA, event.CudaMemcpy, 448, 3, 18816000, 9000, 824000),
	}
}
