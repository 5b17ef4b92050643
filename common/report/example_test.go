package report_test

import (
	"os"
	"time"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/report"
)

var t0 = time.Date(2026, 5, 24, 15, 40, 0, 0, time.UTC).UnixNano()

// A command, an MCP tool and a dashboard endpoint print the chains report
// the same way: build the shape from the analysis, then WriteJSON.
func ExampleNewChains() {
	rep := &causal.Report{FromNs: t0, ToNs: t0 + int64(5*time.Minute), Events: 6630, Chains: []event.Chain{{
		ID: "gpu-node-07:cpu-preemption:cudaStreamSynchronize:4821", Node: "gpu-node-07", DetectedNs: t0 + int64(150*time.Second),
		Severity: event.SeverityHigh, Rule: "cpu-preemption", Op: "cudaStreamSynchronize", PID: 4821,
		Summary: "cudaStreamSync p99=142ms (8.5x p50) - CPU contention", RootCause: "logrotate preempted training process 30 times",
		Fix:      "Add `nice -n 19` to logrotate cron",
		Timeline: []event.TimelineEntry{{TimeNs: t0 + int64(150*time.Second), Layer: "HOST", Detail: "sched_switch: PID 8821 (logrotate) preempted PID 4821"}},
		Evidence: map[string]any{"preemptions": 30},
	}}}
	report.WriteJSON(os.Stdout, report.NewChains(rep, nil))
	// Output:
	// {
	//   "window": {
	//     "from": "2026-05-24T15:40:00.000000000Z",
	//     "to": "2026-05-24T15:45:00.000000000Z"
	//   },
	//   "events": 6630,
	//   "chains": [
	//     {
	//       "id": "gpu-node-07:cpu-preemption:cudaStreamSynchronize:4821",
	//       "severity": "HIGH",
	//       "rule": "cpu-preemption",
	//       "op": "cudaStreamSynchronize",
	//       "pid": 4821,
	//       "node": "gpu-node-07",
	//       "detected": "2026-05-24T15:42:30.000000000Z",
	//       "summary": "cudaStreamSync p99=142ms (8.5x p50) - CPU contention",
	//       "root_cause": "logrotate preempted training process 30 times",
	//       "fix": "Add `nice -n 19` to logrotate cron",
	//       "timeline": [
	//         {
	//           "timestamp": "2026-05-24T15:42:30.000000000Z",
	//           "layer": "HOST",
	//           "detail": "sched_switch: PID 8821 (logrotate) preempted PID 4821"
	//         }
	//       ],
	//       "evidence": {
	//         "preemptions": 30
	//       }
	//     }
	//   ]
	// }
}

// The per-process breakdown keeps GPU API calls only, busiest process
// first.
func ExampleNewPerProcess() {
	op := func(pid uint32, comm string, src event.Source, o event.Op, calls, p50 int64) causal.OpStats {
		return causal.OpStats{PID: pid, Comm: comm, Key: event.Key{Source: src, Op: o}, Name: event.OpName(src, o),
			Calls: calls, P50: p50, P95: 2 * p50, P99: 3 * p50, MaxNs: 4 * p50, TotalNs: calls * p50,
			PerSecond: float64(calls) / 60}
	}
	rep := &causal.Report{FromNs: t0, ToNs: t0 + int64(time.Minute), Contention: false, PerProcess: []causal.OpStats{
		op(4821, "python3", event.SourceDriver, event.CuLaunchKernel, 1000, 4800),
		op(4821, "python3", event.SourceHost, event.SchedSwitch, 40, 1000),
	}}
	report.WriteJSON(os.Stdout, report.NewPerProcess(rep))
	// Output:
	// {
	//   "window": {
	//     "from": "2026-05-24T15:40:00.000000000Z",
	//     "to": "2026-05-24T15:41:00.000000000Z"
	//   },
	//   "processes": [
	//     {
	//       "node": "",
	//       "pid": 4821,
	//       "name": "python3",
	//       "ops": [
	//         {
	//           "source": "driver",
	//           "op": "cuLaunchKernel",
	//           "calls": 1000,
	//           "errors": 0,
	//           "p50_ns": 4800,
	//           "p95_ns": 9600,
	//           "p99_ns": 14400,
	//           "max_ns": 19200,
	//           "total_ns": 4800000,
	//           "latency_recorded": true,
	//           "per_second": 16.67
	//         }
	//       ],
	//       "threads": []
	//     }
	//   ],
	//   "contention": false
	// }
}
