package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteByRequestText prints the per-request table: the two notes, then a
// line per request, longest first.
func WriteByRequestText(w io.Writer, br *ByRequest) error {
	var b strings.Builder
	b.WriteString("Per-request summary\n-------------------\n")
	for _, n := range br.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	nodes := map[string]bool{}
	for _, r := range br.Requests {
		nodes[r.Node] = true
	}
	for _, r := range br.Requests {
		fmt.Fprintf(&b, "request_id=%s duration=%s events=%d gpu_api=%s pid=%d", quoteIfNeeded(r.RequestID),
			millis(r.DurationNs), r.Events, millis(r.GPUAPINs), r.PID)
		if len(nodes) > 1 {
			fmt.Fprintf(&b, " node=%s", quoteIfNeeded(r.Node))
		}
		if r.Sender != nil {
			fmt.Fprintf(&b, " sender_pid=%d sender_uid=%d", r.Sender.PID, r.Sender.UID)
		}
		b.WriteByte('\n')
	}
	if len(br.Requests) == 0 {
		b.WriteString("No ended request spans (annotations with a request_id) in this window; writers send them to trace's socket (docs/annotations.md).\n")
	}
	if br.OpenSpans > 0 {
		fmt.Fprintf(&b, "%d request spans still open are not ranked.\n", br.OpenSpans)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func millis(ns int64) string { return strconv.FormatFloat(float64(ns)/1e6, 'f', 3, 64) + "ms" }

// quoteIfNeeded keeps a writer's ID on its one line and its one field.
func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\r\"=") || strconv.Quote(s) != `"`+s+`"` {
		return strconv.Quote(s)
	}
	return s
}
