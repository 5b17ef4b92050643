// Package callsite answers "which lines of the program make these calls":
// it groups events by the call site of their stored stack (the innermost
// Python line, or the program's own source line; event.CallSite), so that
// query, explain, MCP and export show one ranking.
package callsite

import (
	"cmp"
	"context"
	"slices"

	"ingero.dev/common/event"
	"ingero.dev/common/source"
)

// Use is one call site and the calls made from it.
type Use struct {
	Site    string      `json:"site"` // "train.py:42 (step)"
	Frame   event.Frame `json:"frame"`
	Calls   int64       `json:"calls"`
	TotalNs int64       `json:"total_ns"`
	MaxNs   int64       `json:"max_ns"`
	Ops     []string    `json:"ops"`
	// StackID is the stack of most calls from this site, for a deeper look
	// (MCP get_stacks, the stacks table).
	StackID uint64 `json:"-"`
	stacks  map[uint64]int64
}

// Counter groups events by call site. The zero value is not ready: use
// NewCounter.
type Counter struct {
	src    source.Source
	frames map[uint64]event.Stack
	sites  map[string]*Use
	noSite map[uint64]bool // IDs whose frames say nothing, or were not stored
	// Stacked and Unstacked count the events seen with and without a
	// stack, so a caller can say why there is no call site.
	Stacked, Unstacked int64
}

// NewCounter reads stacks from src as events name them.
func NewCounter(src source.Source) *Counter {
	return &Counter{src: src, frames: map[uint64]event.Stack{}, sites: map[string]*Use{}, noSite: map[uint64]bool{}}
}

// Add counts one event.
func (c *Counter) Add(ev *event.Event) error {
	if ev.StackID == 0 {
		c.Unstacked++
		return nil
	}
	c.Stacked++
	id := ev.StackID
	if c.noSite[id] {
		return nil
	}
	st, ok := c.frames[id]
	if !ok {
		got, err := c.src.Stacks([]uint64{id})
		if err != nil {
			return err
		}
		st, ok = got[id]
		if !ok {
			c.noSite[id] = true
			return nil
		}
		c.frames[id] = st
	}
	f, ok := event.CallSite(st.Frames)
	if !ok {
		c.noSite[id] = true
		return nil
	}
	site := f.Site()
	u := c.sites[site]
	if u == nil {
		u = &Use{Site: site, Frame: f, stacks: map[uint64]int64{}}
		c.sites[site] = u
	}
	u.Calls++
	u.TotalNs += ev.DurNs
	u.MaxNs = max(u.MaxNs, ev.DurNs)
	u.stacks[id]++
	if name := ev.OpName(); !slices.Contains(u.Ops, name) {
		u.Ops = append(u.Ops, name)
	}
	return nil
}

// Top returns at most n call sites, most total time first, then most
// calls (entry-only launches have no time).
func (c *Counter) Top(n int) []Use {
	out := make([]Use, 0, len(c.sites))
	for _, u := range c.sites {
		var best int64
		for id, k := range u.stacks {
			if k > best || (k == best && id < u.StackID) {
				u.StackID, best = id, k
			}
		}
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Use) int {
		return cmp.Or(cmp.Compare(b.TotalNs, a.TotalNs), cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Site, b.Site))
	})
	return out[:min(n, len(out))]
}

// Of ranks the call sites of the events f selects.
func Of(ctx context.Context, src source.Source, f source.Filter, n int) ([]Use, *Counter, error) {
	c := NewCounter(src)
	err := src.Events(ctx, f, func(ev *event.Event) error { return c.Add(ev) })
	if err != nil {
		return nil, nil, err
	}
	return c.Top(n), c, nil
}
