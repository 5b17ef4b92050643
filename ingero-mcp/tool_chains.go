package mcp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ingero.dev/common/annotate"
	"ingero.dev/common/causal"
	"ingero.dev/common/event"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// maxPIDs bounds a pids input: more is not a question about processes.
const maxPIDs = 1024

// maxSteps bounds one chain's timeline in an answer.
const maxSteps = 50

// ChainsIn selects and ranks causal chains.
type ChainsIn struct {
	Common
	TopN        *int     `json:"top_n,omitempty" jsonschema:"how many chains, most severe first (default 10; 0: all)"`
	PIDs        []uint32 `json:"pids,omitempty" jsonschema:"only chains about these processes (and host-wide ones); at most 1024"`
	Severity    string   `json:"severity,omitempty" jsonschema:"only chains at least this severe: LOW, MEDIUM or HIGH"`
	Stored      bool     `json:"stored,omitempty" jsonschema:"read the chains ingero trace stored while recording instead of analysing the events again (fast on huge recordings)"`
	Annotations bool     `json:"annotations,omitempty" jsonschema:"add the labels of the annotations covering each chain"`
}

// ChainsOut is explain --json's report (docs/json.md), ranked and cut to
// top_n, with a note on what was left out.
type ChainsOut struct {
	Window report.Window  `json:"window"`
	Events int64          `json:"events"`
	Chains []report.Chain `json:"chains"` // [] when none
	// Found counts the chains before top_n and severity cut them.
	Found int    `json:"found"`
	Note  string `json:"note,omitempty" fence:"ours"`
}

func (in ChainsIn) options(w window) (causal.Options, event.Severity, int, error) {
	opts := causal.Options{FromNs: w.FromNs, ToNs: w.ToNs, PIDs: in.PIDs}
	if len(in.PIDs) > maxPIDs {
		return opts, 0, 0, fmt.Errorf("pids: %d given, at most %d", len(in.PIDs), maxPIDs)
	}
	if slices.Contains(in.PIDs, 0) {
		return opts, 0, 0, fmt.Errorf("pids: 0 is not a process; host-wide chains come with any pid filter")
	}
	top := 10
	if in.TopN != nil {
		top = *in.TopN
	}
	if top < 0 {
		return opts, 0, 0, fmt.Errorf("top_n %d: 0 (all) or more", top)
	}
	sev := event.SeverityLow
	if in.Severity != "" {
		var ok bool
		if sev, ok = event.ParseSeverity(strings.ToUpper(in.Severity)); !ok {
			return opts, 0, 0, fmt.Errorf("severity %q: LOW, MEDIUM or HIGH", in.Severity)
		}
	}
	return opts, sev, top, nil
}

func (s *server) causalChains(ctx context.Context, in ChainsIn) (*ChainsOut, error) {
	r, w, err := s.openWindow(in.Common)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	opts, sev, top, err := in.options(w)
	if err != nil {
		return nil, err
	}
	var rep *causal.Report
	note := ""
	n, err := eventCount(ctx, r, w, in.PIDs)
	if err != nil {
		return nil, err
	}
	if !in.Stored && n > s.analyzeCap {
		in.Stored = true
		note = fmt.Sprintf("%d events in the window, more than the %d analysed per call: these are the chains trace stored while recording; pass a shorter since to analyse again. ", n, s.analyzeCap)
	}
	if in.Stored {
		rep, err = storedChains(ctx, r, opts, w, n)
	} else {
		rep, err = causal.Analyze(ctx, r, opts)
	}
	if err != nil {
		return nil, err
	}
	found := len(rep.Chains)
	rep.Chains = slices.DeleteFunc(rep.Chains, func(ch event.Chain) bool { return ch.Severity < sev })
	kept := len(rep.Chains)
	if top > 0 && len(rep.Chains) > top {
		rep.Chains = rep.Chains[:top]
	}
	var labels [][]map[string]string
	if in.Annotations {
		anns, err := r.Annotations(w.FromNs, w.ToNs)
		if err != nil {
			return nil, err
		}
		labels = annotate.New(anns).Chains(rep.Chains)
	}
	rc := report.NewChains(rep, labels)
	out := &ChainsOut{Window: rc.Window, Events: rc.Events, Chains: rc.Chains, Found: found}
	for i := range out.Chains {
		// The engine writes a handful of steps; a stored chain from a
		// crafted file may hold a million.
		if tl := out.Chains[i].Timeline; len(tl) > maxSteps {
			out.Chains[i].Timeline = tl[:maxSteps]
			note += fmt.Sprintf("chain %d's timeline cut to its first %d of %d steps. ", i+1, maxSteps, len(tl))
		}
	}
	switch {
	case rep.Events == 0:
		note += emptyNote(w)
	case found == 0:
		note += "no causal chain: nothing in this window was slow for a cause the rules recognise (docs/rules.md); get_trace_stats shows the latencies"
	case kept < found || len(rep.Chains) < kept:
		note += fmt.Sprintf("%d of %d chains shown (severity %s and up, top_n %d)", len(rep.Chains), found, sev, top)
	}
	out.Note = strings.TrimSpace(note)
	return out, nil
}

func eventCount(ctx context.Context, r *store.Reader, w window, pids []uint32) (int64, error) {
	rows, err := r.OpSummary(ctx, store.Filter{FromNs: w.FromNs, ToNs: w.ToNs, PIDs: pids})
	if err != nil {
		return 0, err
	}
	return countOf(rows), nil
}
