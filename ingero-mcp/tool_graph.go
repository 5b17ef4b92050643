package mcp

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"ingero.dev/common/event"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// graphKeys are the CUDA Graph ops: capture, instantiate, launch.
var graphKeys = []event.Key{
	{Source: event.SourceGraph, Op: event.GraphBeginCapture},
	{Source: event.SourceGraph, Op: event.GraphEndCapture},
	{Source: event.SourceGraph, Op: event.GraphInstantiate},
	{Source: event.SourceGraph, Op: event.GraphLaunch},
}

// maxGraphSteps caps a lifecycle's step list; the per-graph summary
// always covers every event.
const maxGraphSteps = 200

// GraphLifecycleIn selects one process's CUDA Graph events.
type GraphLifecycleIn struct {
	Common
	PID uint32 `json:"pid" jsonschema:"the process whose CUDA Graphs to show (required)"`
}

// GraphLifecycleOut is one process's graphs: how each was captured,
// instantiated and launched.
type GraphLifecycleOut struct {
	PID    uint32        `json:"pid"`
	Window report.Window `json:"window"`
	Note   string        `json:"note,omitempty" fence:"ours"`
	Graphs []GraphLife   `json:"graphs"` // [] when none
	// Steps are the capture/instantiate calls in time order, and each
	// executable's first launch; at most 200.
	Steps          []GraphStep `json:"steps"`
	StepsTruncated bool        `json:"steps_truncated"`
}

// GraphLife is one captured graph.
type GraphLife struct {
	Graph          string   `json:"graph"`  // cudaGraph_t handle, 0x…
	Stream         string   `json:"stream"` // the stream it was captured on
	Captured       string   `json:"captured"`
	CaptureNs      int64    `json:"capture_ns"` // begin to end of capture
	Execs          []string `json:"execs"`      // cudaGraphExec_t handles instantiated from it
	Instantiations int64    `json:"instantiations"`
	Launches       int64    `json:"launches"`
}

// GraphStep is one call of the lifecycle.
type GraphStep struct {
	Timestamp  string `json:"timestamp"`
	Op         string `json:"op"`
	DurationNs int64  `json:"duration_ns"`
	Graph      string `json:"graph,omitempty"`
	Exec       string `json:"exec,omitempty"`
	Stream     string `json:"stream,omitempty"`
}

func hex(v uint64) string { return fmt.Sprintf("0x%x", v) }

func (s *server) graphLifecycle(ctx context.Context, in GraphLifecycleIn) (*GraphLifecycleOut, error) {
	if in.PID == 0 {
		return nil, fmt.Errorf("pid: a process id, not 0 (get_per_process lists them)")
	}
	r, w, err := s.openWindow(in.Common)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := &GraphLifecycleOut{PID: in.PID, Window: w.report(), Graphs: []GraphLife{}, Steps: []GraphStep{}}
	byGraph := map[uint64]*GraphLife{}
	execGraph := map[uint64]uint64{}
	open := map[uint64]event.Event{} // capture begun, by stream
	launched := map[uint64]bool{}
	step := func(st GraphStep) {
		if len(out.Steps) == maxGraphSteps {
			out.StepsTruncated = true
			return
		}
		out.Steps = append(out.Steps, st)
	}
	graph := func(h uint64) *GraphLife {
		g := byGraph[h]
		if g == nil {
			g = &GraphLife{Graph: hex(h), Execs: []string{}}
			byGraph[h] = g
		}
		return g
	}
	f := store.Filter{FromNs: w.FromNs, ToNs: w.ToNs, PIDs: []uint32{in.PID}, Ops: graphKeys}
	err = r.Events(ctx, f, func(ev *event.Event) error {
		st := GraphStep{Timestamp: report.Stamp(ev.TimeNs), Op: ev.OpName(), DurationNs: ev.DurNs}
		switch ev.Op {
		case event.GraphBeginCapture:
			open[ev.Args[0]] = *ev
			st.Stream = hex(ev.Args[0])
		case event.GraphEndCapture:
			g := graph(ev.Args[1])
			g.Stream, g.Captured = hex(ev.Args[0]), report.Stamp(ev.TimeNs)
			if b, ok := open[ev.Args[0]]; ok {
				g.CaptureNs = ev.TimeNs + ev.DurNs - b.TimeNs
				delete(open, ev.Args[0])
			}
			st.Stream, st.Graph = hex(ev.Args[0]), hex(ev.Args[1])
		case event.GraphInstantiate:
			g := graph(ev.Args[0])
			g.Instantiations++
			if !slices.Contains(g.Execs, hex(ev.Args[1])) {
				g.Execs = append(g.Execs, hex(ev.Args[1]))
			}
			execGraph[ev.Args[1]] = ev.Args[0]
			st.Graph, st.Exec = hex(ev.Args[0]), hex(ev.Args[1])
		case event.GraphLaunch:
			if h, ok := execGraph[ev.Args[0]]; ok {
				graph(h).Launches++
			}
			if launched[ev.Args[0]] {
				return nil // only the first launch of each executable is a step
			}
			launched[ev.Args[0]] = true
			st.Exec, st.Stream = hex(ev.Args[0]), hex(ev.Args[1])
		}
		step(st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, g := range byGraph {
		out.Graphs = append(out.Graphs, *g)
	}
	slices.SortFunc(out.Graphs, func(a, b GraphLife) int {
		return cmp.Or(cmp.Compare(a.Captured, b.Captured), cmp.Compare(a.Graph, b.Graph))
	})
	if len(out.Steps) == 0 {
		out.Note, err = s.noGraphs(ctx, r, in.PID)
	}
	return out, err
}

// noGraphs words an empty answer: an empty answer is a finding, not an
// error, and the agent should know whether the file can hold one at all.
func (s *server) noGraphs(ctx context.Context, r *store.Reader, pid uint32) (string, error) {
	all, err := r.OpSummary(ctx, store.Filter{Ops: graphKeys})
	if err != nil {
		return "", err
	}
	if len(all) == 0 {
		return "none recorded in this file: it holds no CUDA Graph events (source graph) at all; this build of ingero trace does not probe CUDA Graph calls yet, so no recording has them", nil
	}
	var procs []uint32
	for _, st := range all {
		if !slices.Contains(procs, st.PID) {
			procs = append(procs, st.PID)
		}
	}
	slices.Sort(procs)
	if pid != 0 && !slices.Contains(procs, pid) {
		return fmt.Sprintf("PID %d made no CUDA Graph calls in this file; processes that did: %v", pid, procs), nil
	}
	return "no CUDA Graph calls in this window; widen since (empty: the whole recording)", nil
}
