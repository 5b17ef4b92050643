package fleet

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"

	"ingero.dev/common/report"
)

// NodeChains is one node's stored chains and the recording's node name.
type NodeChains struct {
	Node     Node
	NodeName string // the node name trace recorded, "" when unknown
	Events   int64
	Chains   []report.Chain
	Ops      []report.OpStat // per-op latency over the same window, for stragglers
}

type overviewJSON struct {
	Session *struct {
		Node string `json:"node"`
	} `json:"session"`
}

type opsJSON struct {
	Ops    []report.OpStat `json:"ops"`
	Recent []struct {
		Source string `json:"source"`
		Op     string `json:"op"`
		P99Ns  *int64 `json:"p99_ns"`
	} `json:"recent"`
}

// Chains fetches every node's stored chains, its node name and its op
// latencies over since ("" or "all": the whole recording). Warnings
// name the nodes that failed; all failing is the error.
func Chains(ctx context.Context, c *Client, since string) ([]NodeChains, []string, error) {
	q := url.Values{}
	if since != "" {
		q.Set("since", since)
	}
	res := Each(ctx, c, func(ctx context.Context, n Node) (NodeChains, error) {
		nc := NodeChains{Node: n}
		var ch report.Chains
		if err := c.Get(ctx, n, "/api/v1/chains", q, &ch); err != nil {
			return nc, err
		}
		nc.Chains, nc.Events = ch.Chains, ch.Events
		var ov overviewJSON
		if err := c.Get(ctx, n, "/api/v1/overview", nil, &ov); err != nil {
			return nc, err
		}
		if ov.Session != nil {
			nc.NodeName = ov.Session.Node
		}
		var ops opsJSON
		if err := c.Get(ctx, n, "/api/v1/ops", q, &ops); err != nil {
			return nc, err
		}
		nc.Ops = withRecentP99(ops)
		return nc, nil
	})
	var out []NodeChains
	var warns []string
	var errs []error
	for _, r := range res {
		if r.Err != nil {
			warns = append(warns, fmt.Sprintf("%s: %v", r.Node.Name, r.Err))
			errs = append(errs, fmt.Errorf("%s: %w", r.Node.Name, r.Err))
			continue
		}
		out = append(out, r.Value)
	}
	if len(out) == 0 {
		return nil, nil, allFailed(errs)
	}
	return out, warns, nil
}

// withRecentP99 fills p99 from the sample when the window was too large
// for exact percentiles (aggregate mode).
func withRecentP99(o opsJSON) []report.OpStat {
	recent := map[[2]string]*int64{}
	for _, r := range o.Recent {
		recent[[2]string{r.Source, r.Op}] = r.P99Ns
	}
	for i := range o.Ops {
		if o.Ops[i].P99Ns == nil {
			o.Ops[i].P99Ns = recent[[2]string{o.Ops[i].Source, o.Ops[i].Op}]
		}
	}
	return o.Ops
}

// Sighting is one node's instance of a merged chain.
type Sighting struct {
	Node     string `json:"node"`      // the address asked
	NodeName string `json:"node_name"` // the name trace recorded
	PID      uint32 `json:"pid"`
	Severity string `json:"severity"`
	Detected string `json:"detected"`
	Summary  string `json:"summary"`
}

// MergedChain is one problem seen on one or more nodes: the most severe
// (then newest) sighting's chain, and every node it was seen on.
type MergedChain struct {
	report.Chain
	Seen []Sighting `json:"seen_on"`
}

var severityRank = map[string]int{"HIGH": 3, "MEDIUM": 2, "LOW": 1}

// MergeChains folds the chains that name the same rule and op into one,
// listing the nodes; the most severe first, then those on most nodes.
func MergeChains(nodes []NodeChains) []MergedChain {
	byKey := map[[2]string]*MergedChain{}
	var order [][2]string
	for _, nc := range nodes {
		for _, ch := range nc.Chains {
			key := [2]string{ch.Rule, ch.Op}
			s := Sighting{Node: nc.Node.Name, NodeName: cmp.Or(ch.Node, nc.NodeName), PID: ch.PID, Severity: ch.Severity, Detected: ch.Detected, Summary: ch.Summary}
			m := byKey[key]
			if m == nil {
				m = &MergedChain{Chain: ch}
				byKey[key] = m
				order = append(order, key)
			} else if worse(ch, m.Chain) {
				m.Chain = ch
			}
			m.Seen = append(m.Seen, s)
		}
	}
	out := make([]MergedChain, 0, len(order))
	for _, k := range order {
		m := byKey[k]
		slices.SortStableFunc(m.Seen, func(a, b Sighting) int {
			return cmp.Or(cmp.Compare(severityRank[b.Severity], severityRank[a.Severity]), cmp.Compare(a.Node, b.Node))
		})
		out = append(out, *m)
	}
	slices.SortStableFunc(out, func(a, b MergedChain) int {
		return cmp.Or(cmp.Compare(severityRank[b.Severity], severityRank[a.Severity]), cmp.Compare(len(b.Seen), len(a.Seen)))
	})
	return out
}

func worse(a, b report.Chain) bool {
	if severityRank[a.Severity] != severityRank[b.Severity] {
		return severityRank[a.Severity] > severityRank[b.Severity]
	}
	return a.Detected > b.Detected // RFC 3339 with fixed digits sorts as time
}
