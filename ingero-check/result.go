package check

import (
	"encoding/json"
	"fmt"
	"io"

	shapes "ingero.dev/common/report"
)

// Level grades one check.
type Level int

// Levels, best first.
const (
	Pass Level = iota // [✓]
	Warn              // [!] works, but something is worth knowing
	Fail              // [✗] blocks tracing, or a GPU-side part of it
)

func (l Level) mark() string { return [...]string{"[✓]", "[!]", "[✗]"}[l] }

func (l Level) String() string { return [...]string{"pass", "warn", "fail"}[l] }

// Result is one line of the report.
type Result struct {
	Name   string
	Level  Level
	Value  string // what was found, printed after the name
	Detail string // a second line of context
	Hint   string // what to do, for Warn and Fail
	GPU    bool   // a GPU-side check: its failure leaves host tracing ready
}

func writeText(w io.Writer, rs []Result) {
	fmt.Fprintln(w, "Ingero - System Readiness Check")
	for _, r := range rs {
		fmt.Fprintf(w, "%s %s: %s\n", r.Level.mark(), r.Name, r.Value)
		if r.Detail != "" {
			fmt.Fprintf(w, "    %s\n", r.Detail)
		}
		if r.Hint != "" && r.Level != Pass {
			fmt.Fprintf(w, "    → %s\n", r.Hint)
		}
	}
	fmt.Fprintln(w, verdict(rs))
}

func verdict(rs []Result) string {
	var fails, gpuFails, warns int
	for _, r := range rs {
		switch {
		case r.Level == Fail && r.GPU:
			gpuFails++
		case r.Level == Fail:
			fails++
		case r.Level == Warn:
			warns++
		}
	}
	switch {
	case fails > 0:
		return fmt.Sprintf("%d check(s) failed - not ready to trace (see the hints above)", fails+gpuFails)
	case gpuFails > 0:
		return fmt.Sprintf("eBPF is ready, but %d GPU-side check(s) failed: no CUDA workload can be traced on this host yet", gpuFails)
	case warns > 0:
		return fmt.Sprintf("Ready to trace, with %d warning(s)", warns)
	}
	return "All checks passed - ready to trace!"
}

// writeJSON prints the list the issue fixed as the contract: name, ok,
// detail, hint; level tells a warning from a pass.
func writeJSON(w io.Writer, rs []Result) error {
	out := make([]shapes.CheckResult, len(rs))
	for i, r := range rs {
		d := r.Value
		if r.Detail != "" {
			d += "; " + r.Detail
		}
		out[i] = shapes.CheckResult{Name: r.Name, OK: r.Level != Fail, Level: r.Level.String(), Detail: d, Hint: r.Hint}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func failed(rs []Result) bool {
	for _, r := range rs {
		if r.Level == Fail {
			return true
		}
	}
	return false
}
