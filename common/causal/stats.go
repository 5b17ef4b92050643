package causal

import (
	"cmp"
	"slices"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

// opStats describes one histogram as OpStats.
func opStats(pid uint32, comm string, k event.Key, name string, h *hist.Histogram, errors int64, span int64) OpStats {
	s := OpStats{
		PID: pid, Comm: comm, Key: k, Name: name,
		Calls: int64(h.Count()), Errors: errors,
		P50: h.Quantile(0.5), P95: h.Quantile(0.95), P99: h.Quantile(0.99),
		MaxNs: h.Max(), TotalNs: h.Sum(),
	}
	if span > 0 {
		s.Share = float64(s.TotalNs) / float64(span)
		s.PerSecond = float64(s.Calls) / (float64(span) / 1e9)
	}
	s.Untimed = s.Calls > 0 && s.MaxNs == 0
	return s
}

// stats fills the report's per-op and per-process tables.
func (e *engine) stats(rep *Report) {
	span := rep.ToNs - rep.FromNs
	type agg struct {
		h      hist.Histogram
		errors int64
		name   string
	}
	byKey := map[event.Key]*agg{}
	var keys []event.Key
	for _, p := range e.procList {
		if !p.selected {
			continue
		}
		for _, o := range p.opList {
			if o.h.Count() == 0 {
				continue
			}
			ps := opStats(p.pid, p.comm, o.key, o.name, &o.h, o.errors, span)
			ps.Node = p.node
			if o.gpu && p.gpuCalls > 0 && p.gpuLast > p.gpuFirst {
				ps.PerSecond = float64(ps.Calls) / (float64(p.gpuSpan()) / 1e9)
			}
			rep.PerProcess = append(rep.PerProcess, ps)
			a := byKey[o.key]
			if a == nil {
				a = &agg{name: o.name}
				byKey[o.key] = a
				keys = append(keys, o.key)
			}
			a.h.Merge(&o.h)
			a.errors += o.errors
		}
	}
	for _, k := range keys {
		a := byKey[k]
		rep.Ops = append(rep.Ops, opStats(0, "", k, a.name, &a.h, a.errors, span))
	}
	slices.SortFunc(rep.Ops, busiest)
	slices.SortFunc(rep.PerProcess, func(a, b OpStats) int {
		if c := cmp.Compare(a.Node, b.Node); c != 0 {
			return c
		}
		if c := cmp.Compare(a.PID, b.PID); c != 0 {
			return c
		}
		return busiest(a, b)
	})
	// Processes on different nodes share no GPU: contention needs two of
	// one node.
	perNode := map[string]int{}
	for _, p := range e.gpuProcs {
		perNode[p.node]++
		rep.Contention = rep.Contention || perNode[p.node] > 1
	}
}

// busiest orders ops by calls, then total time, then source and op.
func busiest(a, b OpStats) int {
	if c := cmp.Compare(b.Calls, a.Calls); c != 0 {
		return c
	}
	if c := cmp.Compare(b.TotalNs, a.TotalNs); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Key.Source, b.Key.Source); c != 0 {
		return c
	}
	return cmp.Compare(a.Key.Op, b.Key.Op)
}
