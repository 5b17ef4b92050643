package report

import (
	"ingero.dev/common/causal"
	"ingero.dev/common/event"
)

// Chains is the report of explain --json and explain --chains --json.
type Chains struct {
	Window Window  `json:"window"`
	Events int64   `json:"events"`
	Chains []Chain `json:"chains"` // [] when none
}

// Chain is one causal chain.
type Chain struct {
	ID        string         `json:"id"`
	Severity  string         `json:"severity"`
	Rule      string         `json:"rule"`
	Op        string         `json:"op"`
	PID       uint32         `json:"pid"`
	Node      string         `json:"node"`
	Detected  string         `json:"detected"`
	Summary   string         `json:"summary"`
	RootCause string         `json:"root_cause"`
	Fix       string         `json:"fix"`
	Timeline  []Step         `json:"timeline"`
	Evidence  map[string]any `json:"evidence"`
	// Annotations is present only when asked for; then [] when none
	// covers the chain.
	Annotations []map[string]string `json:"annotations,omitempty"`
	// Hits, present with Annotations, are the label sets in force at the
	// timeline's steps (annotate.Index.Hits): the training steps and
	// requests the slow calls fell in.
	Hits []map[string]string `json:"hits,omitempty"`
}

// Step is one line of a chain's timeline.
type Step struct {
	Timestamp string `json:"timestamp"`
	Layer     string `json:"layer"`
	Detail    string `json:"detail"`
}

// NewChains builds the report of rep. labels, when not nil, holds the
// annotations covering each chain (annotate.Index.Chain), in rep.Chains'
// order; nil leaves the field out, as without --annotations.
func NewChains(rep *causal.Report, labels [][]map[string]string) Chains {
	out := Chains{Window: NewWindow(rep.FromNs, rep.ToNs), Events: rep.Events, Chains: make([]Chain, 0, len(rep.Chains))}
	for i, ch := range rep.Chains {
		c := ChainOf(ch)
		if labels != nil {
			c.Annotations = nonNil(labels[i])
		}
		out.Chains = append(out.Chains, c)
	}
	return out
}

// SetHits adds each chain's hits, in the order of c.Chains; the field is
// [] for a chain that hit none.
func (c *Chains) SetHits(hits [][]map[string]string) {
	for i := range c.Chains {
		c.Chains[i].Hits = nonNil(hits[i])
	}
}

// ChainOf converts one chain, with [] and {} for an empty timeline and
// evidence, never null.
func ChainOf(ch event.Chain) Chain {
	c := Chain{
		ID: ch.ID, Severity: ch.Severity.String(), Rule: ch.Rule, Op: ch.Op, PID: ch.PID, Node: ch.Node,
		Detected: Stamp(ch.DetectedNs), Summary: ch.Summary, RootCause: ch.RootCause, Fix: ch.Fix,
		Timeline: make([]Step, 0, len(ch.Timeline)), Evidence: ch.Evidence,
	}
	if c.Evidence == nil {
		c.Evidence = map[string]any{}
	}
	for _, te := range ch.Timeline {
		c.Timeline = append(c.Timeline, Step{Timestamp: Stamp(te.TimeNs), Layer: te.Layer, Detail: te.Detail})
	}
	return c
}

// nonNil makes "no annotation applies" an empty list rather than an
// absent field, once annotations were asked for.
func nonNil(labels []map[string]string) []map[string]string {
	if labels == nil {
		return []map[string]string{}
	}
	return labels
}
