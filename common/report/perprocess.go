package report

import (
	"cmp"
	"math"
	"slices"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
)

// PerProcess is explain --per-process --json: each process's GPU API calls.
type PerProcess struct {
	Window    Window    `json:"window"`
	Processes []Process `json:"processes"` // [] when none made GPU API calls
	// Contention is true when more than one process made CUDA runtime or
	// driver calls in the window.
	Contention bool `json:"contention"`
}

// Process is one process's GPU API ops, most calls first.
type Process struct {
	// Node is the node the process ran on: a merged recording holds
	// several, whose PIDs may collide.
	Node string `json:"node"`
	PID  uint32 `json:"pid"`
	Name string `json:"name"`
	Ops  []Op   `json:"ops"`
	// Threads is the wall-time account of each thread that made GPU
	// calls, most calls first.
	Threads []Thread `json:"threads"`
}

// Op is one op's latency statistics.
type Op struct {
	Source string `json:"source"`
	Op     string `json:"op"`
	Calls  int64  `json:"calls"`
	Errors int64  `json:"errors"`
	// Nearest-rank percentiles from the shared histogram (within 0.4% of
	// the exact value), the longest call and the sum, in ns.
	P50Ns   int64 `json:"p50_ns"`
	P95Ns   int64 `json:"p95_ns"`
	P99Ns   int64 `json:"p99_ns"`
	MaxNs   int64 `json:"max_ns"`
	TotalNs int64 `json:"total_ns"`
	// Entry-only probes record no latency: the percentiles are then 0
	// and mean nothing, and PerSecond is the measure.
	LatencyRecorded bool    `json:"latency_recorded"`
	PerSecond       float64 `json:"per_second"` // over the process's span of GPU calls
}

// OpOf converts one op's statistics.
func OpOf(s causal.OpStats) Op {
	return Op{Source: s.Key.Source.String(), Op: s.Name, Calls: s.Calls, Errors: s.Errors,
		P50Ns: s.P50, P95Ns: s.P95, P99Ns: s.P99, MaxNs: s.MaxNs, TotalNs: s.TotalNs,
		LatencyRecorded: !s.Untimed, PerSecond: math.Round(s.PerSecond*100) / 100}
}

// NewPerProcess builds the breakdown of rep.
func NewPerProcess(rep *causal.Report) PerProcess {
	out := PerProcess{Window: NewWindow(rep.FromNs, rep.ToNs), Processes: []Process{}, Contention: rep.Contention}
	for _, p := range GPUProcesses(rep) {
		jp := Process{Node: p.Node, PID: p.PID, Name: p.Name, Threads: []Thread{}}
		for _, s := range p.Ops {
			jp.Ops = append(jp.Ops, OpOf(s))
		}
		for _, a := range p.Threads {
			jp.Threads = append(jp.Threads, ThreadOf(&a))
		}
		out.Processes = append(out.Processes, jp)
	}
	return out
}

// GPUProcess is one process's GPU API calls, as the breakdown groups them.
type GPUProcess struct {
	Node    string
	PID     uint32
	Name    string
	Calls   int64
	Ops     []causal.OpStats       // most calls first
	Threads []causal.ThreadAccount // the wall-time accounts of its threads that made GPU calls
}

// IsGPUAPI reports whether ops of src are calls into the GPU stack, which
// the breakdown lists; host, IO and network events are left out.
func IsGPUAPI(src event.Source) bool {
	switch src {
	case event.SourceCUDA, event.SourceDriver, event.SourceGraph, event.SourceNCCL:
		return true
	}
	return false
}

// GPUProcesses groups rep's per-process stats by node and PID (two nodes
// of a merged recording may both have a PID 4821), busiest process first
// (by GPU API calls), and each process's ops by calls.
func GPUProcesses(rep *causal.Report) []GPUProcess {
	type key struct {
		node string
		pid  uint32
	}
	byPID := map[key]*GPUProcess{}
	for _, s := range rep.PerProcess {
		if !IsGPUAPI(s.Key.Source) || s.Calls == 0 {
			continue
		}
		k := key{s.Node, s.PID}
		p := byPID[k]
		if p == nil {
			p = &GPUProcess{Node: s.Node, PID: s.PID, Name: s.Comm}
			byPID[k] = p
		}
		p.Calls += s.Calls
		p.Ops = append(p.Ops, s)
	}
	for _, a := range rep.Threads {
		if p := byPID[key{a.Node, a.PID}]; p != nil {
			p.Threads = append(p.Threads, a)
		}
	}
	out := make([]GPUProcess, 0, len(byPID))
	for _, p := range byPID {
		slices.SortFunc(p.Ops, func(a, b causal.OpStats) int {
			return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Name, b.Name))
		})
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b GPUProcess) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Node, b.Node), cmp.Compare(a.PID, b.PID))
	})
	return out
}

// CUDAProcesses counts the processes that made CUDA runtime or driver
// calls, the ones the contention warning is about.
func CUDAProcesses(procs []GPUProcess) int {
	n := 0
	for _, p := range procs {
		if slices.ContainsFunc(p.Ops, func(s causal.OpStats) bool {
			return s.Key.Source == event.SourceCUDA || s.Key.Source == event.SourceDriver
		}) {
			n++
		}
	}
	return n
}

// Nodes counts the nodes procs come from; text output names a process's
// node only when there is more than one.
func Nodes(procs []GPUProcess) int {
	seen := map[string]bool{}
	for _, p := range procs {
		seen[p.Node] = true
	}
	return len(seen)
}
