package mcp

import (
	"context"
	"fmt"
	"slices"

	"ingero.dev/common/causal"
	"ingero.dev/common/report"
)

// PerProcessIn selects processes.
type PerProcessIn struct {
	Common
	PIDs []uint32 `json:"pids,omitempty" jsonschema:"only these processes; at most 1024"`
}

// PerProcessOut is explain --per-process --json (docs/json.md).
type PerProcessOut struct {
	report.PerProcess
	Note string `json:"note,omitempty" fence:"ours"`
}

func (s *server) perProcess(ctx context.Context, in PerProcessIn) (*PerProcessOut, error) {
	if len(in.PIDs) > maxPIDs {
		return nil, fmt.Errorf("pids: %d given, at most %d", len(in.PIDs), maxPIDs)
	}
	if slices.Contains(in.PIDs, 0) {
		return nil, fmt.Errorf("pids: 0 is not a process")
	}
	r, w, err := s.openWindow(in.Common)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	n, err := eventCount(ctx, r, w, in.PIDs)
	if err != nil {
		return nil, err
	}
	if n > s.analyzeCap {
		return nil, fmt.Errorf("%d events in the window, more than the %d analysed per call: pass a shorter since, or pids", n, s.analyzeCap)
	}
	rep, err := causal.Analyze(ctx, r, causal.Options{FromNs: w.FromNs, ToNs: w.ToNs, PIDs: in.PIDs})
	if err != nil {
		return nil, err
	}
	out := &PerProcessOut{PerProcess: report.NewPerProcess(rep)}
	switch {
	case rep.Events == 0:
		out.Note = emptyNote(w)
	case len(out.Processes) == 0:
		out.Note = "no process made GPU API calls (cuda, driver, graph, nccl) in this window; get_trace_stats lists the host and IO events"
	}
	return out, nil
}
