package explain

import (
	"bufio"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// process is one process's GPU API calls.
type process struct {
	PID     uint32
	Name    string
	Calls   int64
	Ops     []causal.OpStats
	Threads []causal.ThreadAccount
}

// gpuAPI reports whether ops of src are calls into the GPU stack, which
// the breakdown lists; host, IO and network events are left out.
func gpuAPI(src event.Source) bool {
	switch src {
	case event.SourceCUDA, event.SourceDriver, event.SourceGraph, event.SourceNCCL:
		return true
	}
	return false
}

// processes groups the report's per-process stats, busiest process first
// (by GPU API calls), and each process's ops by calls.
func processes(rep *causal.Report) []process {
	byPID := map[uint32]*process{}
	for _, s := range rep.PerProcess {
		if !gpuAPI(s.Key.Source) || s.Calls == 0 {
			continue
		}
		p := byPID[s.PID]
		if p == nil {
			p = &process{PID: s.PID, Name: s.Comm}
			byPID[s.PID] = p
		}
		p.Calls += s.Calls
		p.Ops = append(p.Ops, s)
	}
	for _, a := range rep.Threads {
		if p := byPID[a.PID]; p != nil {
			p.Threads = append(p.Threads, a)
		}
	}
	out := make([]process, 0, len(byPID))
	for _, p := range byPID {
		slices.SortFunc(p.Ops, func(a, b causal.OpStats) int {
			return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Name, b.Name))
		})
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b process) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.PID, b.PID))
	})
	return out
}

func writePerProcessText(w *bufio.Writer, v *view) {
	procs := processes(v.rep)
	fmt.Fprintln(w, "PER-PROCESS GPU API BREAKDOWN")
	if len(procs) == 0 {
		fmt.Fprintf(w, "No CUDA, driver, graph or NCCL calls%s over %s.\n", v.pidNote(), v.window())
		return
	}
	nameW, callsW := 0, 0
	for _, p := range procs {
		for _, s := range p.Ops {
			nameW = max(nameW, len(s.Name))
			callsW = max(callsW, len(hist.FormatCount(s.Calls)))
		}
	}
	for _, p := range procs {
		fmt.Fprintf(w, "PID %d (%s)\n", p.PID, oneLine(p.Name))
		for _, s := range p.Ops {
			line := fmt.Sprintf("  %-*s  %*s %-5s  ", nameW, s.Name, callsW, hist.FormatCount(s.Calls), plural(s.Calls, "call", "calls"))
			if s.Untimed {
				// Entry-only probes: a latency of 0 would be a lie.
				line += fmt.Sprintf("%s/s (latency not recorded)", rate(s.PerSecond))
			} else {
				line += fmt.Sprintf("p50=%-7s p95=%-7s p99=%s", hist.FormatNs(s.P50), hist.FormatNs(s.P95), hist.FormatNs(s.P99))
			}
			if s.Errors > 0 {
				line += fmt.Sprintf("  %s %s", hist.FormatCount(s.Errors), plural(s.Errors, "error", "errors"))
			}
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
		for _, a := range p.Threads {
			writeAccount(w, &a)
		}
	}
	switch n := cudaProcesses(procs); {
	case v.rep.Contention && n > 1:
		fmt.Fprintf(w, "\n⚠ Multi-process GPU contention: %d processes sharing GPU with CUDA/Driver ops\n", n)
	case v.rep.Contention: // --pid hides the others
		fmt.Fprintf(w, "\n⚠ Multi-process GPU contention: processes beyond --pid also make CUDA/Driver calls in this window (leave out --pid to see them)\n")
	}
}

// cudaProcesses counts the processes that made CUDA runtime or driver
// calls, the ones the contention warning is about.
func cudaProcesses(procs []process) int {
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
