package report

import (
	"cmp"
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
	PID  uint32 `json:"pid"`
	Name string `json:"name"`
	Ops  []Op   `json:"ops"`
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
}

// OpOf converts one op's statistics.
func OpOf(s causal.OpStats) Op {
	return Op{Source: s.Key.Source.String(), Op: s.Name, Calls: s.Calls, Errors: s.Errors,
		P50Ns: s.P50, P95Ns: s.P95, P99Ns: s.P99, MaxNs: s.MaxNs, TotalNs: s.TotalNs}
}

// NewPerProcess builds the breakdown of rep.
func NewPerProcess(rep *causal.Report) PerProcess {
	out := PerProcess{Window: NewWindow(rep.FromNs, rep.ToNs), Processes: []Process{}, Contention: rep.Contention}
	for _, p := range GPUProcesses(rep) {
		jp := Process{PID: p.PID, Name: p.Name}
		for _, s := range p.Ops {
			jp.Ops = append(jp.Ops, OpOf(s))
		}
		out.Processes = append(out.Processes, jp)
	}
	return out
}

// GPUProcess is one process's GPU API calls, as the breakdown groups them.
type GPUProcess struct {
	PID   uint32
	Name  string
	Calls int64
	Ops   []causal.OpStats // most calls first
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

// GPUProcesses groups rep's per-process stats, busiest process first (by
// GPU API calls), and each process's ops by calls.
func GPUProcesses(rep *causal.Report) []GPUProcess {
	byPID := map[uint32]*GPUProcess{}
	for _, s := range rep.PerProcess {
		if !IsGPUAPI(s.Key.Source) || s.Calls == 0 {
			continue
		}
		p := byPID[s.PID]
		if p == nil {
			p = &GPUProcess{PID: s.PID, Name: s.Comm}
			byPID[s.PID] = p
		}
		p.Calls += s.Calls
		p.Ops = append(p.Ops, s)
	}
	out := make([]GPUProcess, 0, len(byPID))
	for _, p := range byPID {
		slices.SortFunc(p.Ops, func(a, b causal.OpStats) int {
			return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Name, b.Name))
		})
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b GPUProcess) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.PID, b.PID))
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
