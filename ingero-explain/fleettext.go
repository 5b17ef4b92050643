package explain

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"ingero.dev/common/event"
	"ingero.dev/common/fleet"
	"ingero.dev/common/hist"
)

// writeFleetText prints explain --nodes: which nodes answered, each
// merged chain once with the nodes it was seen on, then the stragglers.
func writeFleetText(w io.Writer, rep *fleetReport, asked int) error {
	bw := bufio.NewWriter(w)
	var events int64
	names := make([]string, 0, len(rep.Nodes))
	for _, n := range rep.Nodes {
		events += n.Events
		names = append(names, nodeLabel(n.Node, n.NodeName))
	}
	chains := make([]event.Chain, len(rep.Chains))
	for i, m := range rep.Chains {
		chains[i] = event.Chain{Severity: severityOf(m.Severity)}
	}
	fmt.Fprintf(bw, "FLEET INCIDENT REPORT - %d %s answered of %d asked, last %s of each recording, %s %s\n",
		len(rep.Nodes), plural(int64(len(rep.Nodes)), "node", "nodes"), asked, rep.Since, hist.FormatCount(events), plural(events, "event", "events"))
	fmt.Fprintf(bw, "Nodes: %s\n", strings.Join(names, ", "))
	if len(rep.Chains) == 0 {
		fmt.Fprintln(bw, "\nNo stored causal chains on any node over that window.")
	} else {
		fmt.Fprintf(bw, "%d distinct causal %s (%s), as 'ingero trace' stored them on each node\n",
			len(rep.Chains), plural(int64(len(rep.Chains)), "chain", "chains"), severityCounts(chains))
	}
	for _, m := range rep.Chains {
		fmt.Fprintln(bw)
		fmt.Fprintf(bw, "[%s] %s\n", m.Severity, oneLine(m.Summary))
		seen := make([]string, len(m.Seen))
		for i, s := range m.Seen {
			seen[i] = nodeLabel(s.Node, s.NodeName) + " " + s.Severity
			if s.PID != 0 {
				seen[i] += fmt.Sprintf(" PID %d", s.PID)
			}
		}
		fmt.Fprintf(bw, "Seen on %d %s: %s\n", len(m.Seen), plural(int64(len(m.Seen)), "node", "nodes"), strings.Join(seen, "; "))
		if len(m.Timeline) > 0 {
			fmt.Fprintf(bw, "Timeline (%s):\n", nodeLabel(m.Seen[0].Node, m.Seen[0].NodeName))
			for _, te := range m.Timeline {
				fmt.Fprintf(bw, "  %s [%s] %s\n", te.Timestamp, te.Layer, oneLine(te.Detail))
			}
		}
		fmt.Fprintf(bw, "Root cause: %s\n", oneLine(m.RootCause))
		fmt.Fprintf(bw, "Fix: %s\n", oneLine(m.Fix))
	}
	fmt.Fprintln(bw)
	if len(rep.Stragglers) == 0 {
		fmt.Fprintf(bw, "No straggler: no node's p99 of a synchronisation or collective op is %.0fx the other nodes' median.\n", fleet.StragglerFactor)
	} else {
		fmt.Fprintln(bw, "STRAGGLERS - nodes whose waits stand out (a slow rank holds its peers back at the next collective)")
		for _, s := range rep.Stragglers {
			fmt.Fprintf(bw, "  %s\n", s)
		}
	}
	return bw.Flush()
}

func nodeLabel(addr, name string) string {
	if name == "" || name == addr {
		return addr
	}
	return addr + " (" + name + ")"
}

func severityOf(s string) event.Severity {
	for _, sev := range []event.Severity{event.SeverityHigh, event.SeverityMedium, event.SeverityLow} {
		if sev.String() == s {
			return sev
		}
	}
	return event.SeverityLow
}
