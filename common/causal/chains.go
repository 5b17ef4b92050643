package causal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"ingero.dev/common/event"
)

// view turns an engine's state into chains without changing it, so that
// live callers may ask every second.
type view struct {
	e   *engine
	end int64 // end of the window the accounts run to; 0: the latest event
	now time.Time
	loc *time.Location
}

// finding is a chain and how strongly the evidence supports it.
type finding struct {
	event.Chain
	strength float64
}

// newFinding starts a chain with its stable ID.
func (v *view) newFinding(rule, node, op string, pid uint32, sev event.Severity, strength float64) *finding {
	if node == "" {
		node = v.e.node
	}
	return &finding{strength: strength, Chain: event.Chain{
		ID:   fmt.Sprintf("%s:%s:%s:%d", node, rule, op, pid),
		Node: node, Severity: sev, Rule: rule, Op: op, PID: pid,
		Evidence: map[string]any{"strength": round4(strength)},
	}}
}

// add appends a timeline entry; zero times are left out.
func (f *finding) add(t int64, layer, detail string) {
	if t == 0 {
		return
	}
	f.Timeline = append(f.Timeline, event.TimelineEntry{TimeNs: t, Layer: layer, Detail: detail})
}

// done orders the timeline and dates the finding by its latest evidence,
// so that the same data always yields the same chain.
func (f *finding) done() *finding {
	slices.SortStableFunc(f.Timeline, func(a, b event.TimelineEntry) int { return cmp.Compare(a.TimeNs, b.TimeNs) })
	for _, te := range f.Timeline {
		f.DetectedNs = max(f.DetectedNs, te.TimeNs)
	}
	return f
}

// rule is one detector: it inspects one process (all rules but oom's
// host-wide part work per process) and returns its findings.
type rule func(v *view, p *proc) []*finding

var rules = []rule{
	ruleCPUPreemption,
	ruleMemoryPressure,
	ruleBlockIO,
	ruleCotenant,
	ruleThroughputDrop,
	ruleGPUStarvation,
	ruleMemcpyBound,
	ruleAllocChurn,
	ruleMemoryLeak,
	ruleCUDAOOM,
	ruleHostBound,
	ruleGPUShared,
	ruleGraphs,
}

// findings runs every rule.
func (v *view) findings() []*finding {
	var fs []*finding
	for _, p := range v.e.procList {
		if !p.selected {
			continue
		}
		var own []*finding
		for _, r := range rules {
			own = append(own, r(v, p)...)
		}
		fs = append(fs, standDown(own)...)
	}
	fs = append(sharedStandsDown(fs), v.barrierWaits()...)
	return append(fs, v.oomKills()...)
}

// rank merges findings with the same ID (the stronger one stays) and
// orders them by severity, then strength, then ID. The findings
// themselves are left unchanged.
func rank(fs []*finding) []event.Chain {
	at := make(map[string]int, len(fs))
	var order []*finding
	for _, f := range fs {
		i, dup := at[f.ID]
		switch {
		case !dup:
			at[f.ID] = len(order)
			order = append(order, f)
		case stronger(f, order[i]):
			order[i] = f
		}
	}
	slices.SortFunc(order, func(a, b *finding) int {
		if stronger(a, b) {
			return -1
		}
		if stronger(b, a) {
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := make([]event.Chain, len(order))
	for i, f := range order {
		out[i] = f.Chain
	}
	return out
}

func stronger(a, b *finding) bool {
	if a.Severity != b.Severity {
		return a.Severity > b.Severity
	}
	return a.strength > b.strength
}
