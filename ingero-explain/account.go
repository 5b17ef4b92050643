package explain

import (
	"bufio"
	"fmt"
	"strings"

	"ingero.dev/common/causal"
	"ingero.dev/common/hist"
)

// writeAccount prints where one thread's wall time went, one line per
// bucket that holds any time.
func writeAccount(w *bufio.Writer, a *causal.ThreadAccount) {
	fmt.Fprintf(w, "  wall time of thread %d (%s), %s, %s GPU %s:\n", a.TID, oneLine(a.Comm),
		hist.FormatNs(a.WallNs), hist.FormatCount(a.GPUCalls), plural(a.GPUCalls, "call", "calls"))
	row := func(label string, ns, idle int64, more string) {
		if ns == 0 {
			return
		}
		line := fmt.Sprintf("    %-22s %8s %4s", label, hist.FormatNs(ns), pct(ns, a.WallNs))
		var notes []string
		if idle > 0 {
			notes = append(notes, "GPU idle "+hist.FormatNs(idle))
		}
		if more != "" {
			notes = append(notes, more)
		}
		if len(notes) > 0 {
			line += "   " + strings.Join(notes, "; ")
		}
		fmt.Fprintln(w, line)
	}
	row("inside CUDA calls", a.CUDANs, 0, "")
	row("on-CPU between calls", a.OnCPUNs, a.GPUIdleOnCPUNs, "")
	row("preempted", a.RunnableNs, a.GPUIdleRunnableNs, preemptors(a.Preemptors))
	row("blocked in IO (D)", a.IOWaitNs, a.GPUIdleIOWaitNs, ownIO(&a.IO))
	row("sleeping (S)", a.SleepingNs, a.GPUIdleSleepingNs, "")
	row("off-CPU, state unknown", a.BlockedNs, a.GPUIdleBlockedNs, "")
	row("exited", a.ExitedNs, 0, "")
	if a.IOWaitNs == 0 && a.IO.Requests > 0 {
		fmt.Fprintf(w, "    %s\n", ownIO(&a.IO))
	}
}

func pct(part, whole int64) string {
	if whole <= 0 {
		return "-"
	}
	v := 100 * float64(part) / float64(whole)
	if v < 10 && part > 0 {
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.0f%%", v)
}

func preemptors(ps []causal.Preemptor) string {
	var s []string
	for _, p := range ps[:min(len(ps), 3)] {
		who := fmt.Sprintf("%s (PID %d)", oneLine(p.Comm), p.PID)
		if p.PID == 0 {
			who = oneLine(p.Comm)
		}
		s = append(s, fmt.Sprintf("%s %s, %s %s", who, hist.FormatNs(p.Ns),
			hist.FormatCount(p.Preemptions), plural(p.Preemptions, "time", "times")))
	}
	if len(s) == 0 {
		return ""
	}
	return "by " + strings.Join(s, "; ")
}

// ownIO describes the block IO the thread submitted itself.
func ownIO(io *causal.ThreadIO) string {
	if io.Requests == 0 {
		return ""
	}
	s := fmt.Sprintf("own block IO: %s %s", hist.FormatCount(io.Requests), plural(io.Requests, "request", "requests"))
	if io.WriteBytes > 0 {
		s += ", " + bytesIEC(io.WriteBytes) + " written"
	}
	if io.ReadBytes > 0 {
		s += ", " + bytesIEC(io.ReadBytes) + " read"
	}
	if io.Flushes > 0 {
		s += fmt.Sprintf(", %s %s", hist.FormatCount(io.Flushes), plural(io.Flushes, "flush", "flushes"))
	}
	if len(io.Devices) > 0 {
		s += " on " + strings.Join(io.Devices, ", ")
	}
	return s
}

func bytesIEC(b int64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := int64(unit), 0
	for n := b / unit; n >= unit && exp < 4; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTP"[exp])
}

// rate writes calls per second with sensible precision.
func rate(r float64) string {
	switch {
	case r >= 100:
		return hist.FormatCount(int64(r + 0.5))
	case r >= 10:
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.2f", r)
}
