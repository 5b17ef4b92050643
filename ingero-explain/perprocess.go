package explain

import (
	"bufio"
	"fmt"
	"strings"

	"ingero.dev/common/hist"
	"ingero.dev/common/report"
)

func writePerProcessText(w *bufio.Writer, v *view) {
	procs := report.GPUProcesses(v.rep)
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
		if report.Nodes(procs) > 1 {
			fmt.Fprintf(w, "PID %d (%s) on %s\n", p.PID, oneLine(p.Name), oneLine(p.Node))
		} else {
			fmt.Fprintf(w, "PID %d (%s)\n", p.PID, oneLine(p.Name))
		}
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
	switch n := report.CUDAProcesses(procs); {
	case v.rep.Contention && n > 1:
		fmt.Fprintf(w, "\n⚠ Multi-process GPU contention: %d processes sharing GPU with CUDA/Driver ops\n", n)
	case v.rep.Contention: // --pid hides the others
		fmt.Fprintf(w, "\n⚠ Multi-process GPU contention: processes beyond --pid also make CUDA/Driver calls in this window (leave out --pid to see them)\n")
	}
}
