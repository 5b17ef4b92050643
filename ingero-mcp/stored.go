package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"

	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/store"
)

// Bounds on what is read of one stored chain: the engine writes a few
// hundred bytes of text and a handful of steps, a crafted file anything.
const (
	maxStoredChains = 1000
	maxChainText    = 4096
	maxChainJSON    = 256 << 10
)

// storedChains reads the chains trace detected live, in the window; with
// pids, those processes' chains and the host-wide ones (PID 0). It reads
// with capped SQL rather than Reader.Chains, which decodes every
// timeline whole: a stored timeline of a million steps would take the
// server's memory with it.
func storedChains(ctx context.Context, r *store.Reader, opts causal.Options, w window, events int64) (*causal.Report, error) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if opts.FromNs != 0 {
		from = opts.FromNs
	}
	if opts.ToNs != 0 {
		to = opts.ToNs
	}
	res, err := r.Query(ctx, maxStoredChains, `SELECT substr(id, 1, 256), substr(node, 1, 256), detected_ns, severity,
		substr(rule, 1, 128), substr(op, 1, 128), pid, substr(summary, 1, ?1), substr(root_cause, 1, ?1), substr(fix, 1, ?1),
		substr(timeline, 1, ?2), substr(evidence, 1, ?2)
		FROM chains WHERE detected_ns BETWEEN ?3 AND ?4 ORDER BY severity DESC, detected_ns, id`,
		maxChainText, maxChainJSON, from, to)
	if err != nil {
		return nil, err
	}
	rep := &causal.Report{FromNs: w.bounds(), ToNs: w.end(), Events: events}
	for _, row := range res.Rows {
		ch := event.Chain{ID: str(row[0]), Node: str(row[1]), DetectedNs: num(row[2]), Severity: event.Severity(num(row[3])),
			Rule: str(row[4]), Op: str(row[5]), PID: uint32(num(row[6])), Summary: str(row[7]), RootCause: str(row[8]), Fix: str(row[9])}
		if len(opts.PIDs) > 0 && ch.PID != 0 && !slices.Contains(opts.PIDs, ch.PID) {
			continue
		}
		ch.Timeline = prefixSteps(str(row[10]), maxSteps)
		_ = json.Unmarshal([]byte(str(row[11])), &ch.Evidence) // cut or malformed: no evidence
		rep.Chains = append(rep.Chains, ch)
	}
	return rep, nil
}

// prefixSteps decodes up to n steps of a timeline's JSON, which may be
// cut short.
func prefixSteps(text string, n int) []event.TimelineEntry {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil
	}
	var out []event.TimelineEntry
	for len(out) < n && dec.More() {
		var te event.TimelineEntry
		if dec.Decode(&te) != nil {
			break
		}
		out = append(out, te)
	}
	return out
}
