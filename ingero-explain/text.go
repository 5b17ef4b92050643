package explain

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// writeText prints the report as the spec shows it, after the per-process
// breakdown when asked for.
func writeText(w io.Writer, v *view, perProcess bool) error {
	bw := bufio.NewWriter(w)
	switch {
	case v.rep.Events == 0:
		fmt.Fprintf(bw, "No events%s recorded over %s.\n", v.pidNote(), v.window())
		if v.hint != "" {
			fmt.Fprintln(bw, v.hint)
		}
		return bw.Flush()
	case perProcess:
		writePerProcessText(bw, v)
		fmt.Fprintln(bw)
	}
	writeIncidents(bw, v)
	return bw.Flush()
}

func writeIncidents(w *bufio.Writer, v *view) {
	chains := v.rep.Chains
	n := int64(len(chains))
	if n == 0 {
		if v.stored {
			fmt.Fprintf(w, "No stored causal chains over %s, which holds %s %s%s; 'ingero trace' stores the chains it finds while recording, and explain without --chains analyses the events.\n",
				v.window(), hist.FormatCount(v.rep.Events), plural(v.rep.Events, "event", "events"), v.pidNote())
			return
		}
		fmt.Fprintf(w, "No causal chains found in %s %s%s over %s.\n", hist.FormatCount(v.rep.Events), plural(v.rep.Events, "event", "events"), v.pidNote(), v.window())
		return
	}
	found := "found"
	if v.stored {
		found = "stored"
	}
	fmt.Fprintf(w, "INCIDENT REPORT - %d causal %s %s (%s)\n", n, plural(n, "chain", "chains"), found, severityCounts(chains))
	events := hist.FormatCount(v.rep.Events) + " " + plural(v.rep.Events, "event", "events") + v.pidNote()
	if v.stored {
		fmt.Fprintf(w, "As 'ingero trace' detected them while recording %s over %s; not analysed again\n", events, v.window())
	} else {
		fmt.Fprintf(w, "%s analysed over %s\n", events, v.window())
	}
	nodes := distinctNodes(chains)
	for i, ch := range chains {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "[%s] %s\n", ch.Severity, oneLine(ch.Summary))
		if nodes > 1 {
			fmt.Fprintf(w, "Node: %s\n", ch.Node)
		}
		if len(ch.Timeline) > 0 {
			fmt.Fprintln(w, "Timeline:")
			for _, te := range ch.Timeline {
				fmt.Fprintf(w, "  %s [%s] %s\n", v.clock(te.TimeNs), te.Layer, oneLine(te.Detail))
			}
		}
		if line := callSiteLine(ch); line != "" {
			fmt.Fprintln(w, oneLine(line))
		}
		fmt.Fprintf(w, "Root cause: %s\n", oneLine(ch.RootCause))
		fmt.Fprintf(w, "Fix: %s\n", oneLine(ch.Fix))
		if v.labels != nil {
			fmt.Fprintf(w, "Annotations: %s\n", shortLabelText(v.labels[i]))
			fmt.Fprintf(w, "Hit: %s\n", shortLabelText(v.hits[i]))
		}
	}
}

// severityCounts writes "1 HIGH, 1 MEDIUM", most severe first, leaving out
// severities with no chain.
func severityCounts(chains []event.Chain) string {
	var parts []string
	for _, sev := range []event.Severity{event.SeverityHigh, event.SeverityMedium, event.SeverityLow} {
		n := 0
		for _, ch := range chains {
			if ch.Severity == sev {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	return strings.Join(parts, ", ")
}

func distinctNodes(chains []event.Chain) int {
	seen := map[string]bool{}
	for _, ch := range chains {
		seen[ch.Node] = true
	}
	return len(seen)
}

// oneLine keeps a multi-line text from breaking the report's layout.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
