package mcp

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"ingero.dev/common/event"
	"ingero.dev/common/report"
	"ingero.dev/common/store"
)

// StacksIn selects the calls whose stacks to group.
type StacksIn struct {
	Common
	Source string `json:"source,omitempty" jsonschema:"only this layer: cuda, driver, graph, host, io, nccl…"`
	Op     string `json:"op,omitempty" jsonschema:"only this op, such as cudaMalloc or cudaStreamSynchronize"`
	PID    uint32 `json:"pid,omitempty" jsonschema:"only this process"`
	Limit  int    `json:"limit,omitempty" jsonschema:"how many stacks, busiest first (default 10, at most 100)"`
}

// StacksOut is the calls grouped by call stack.
type StacksOut struct {
	Window report.Window `json:"window"`
	Note   string        `json:"note,omitempty" fence:"ours"`
	Stacks []StackUse    `json:"stacks"` // most total time first; [] when none
}

// StackUse is one call stack and the calls made through it.
type StackUse struct {
	Hash      string   `json:"hash"` // the stack's id, 0x…, as events' stack_id
	Calls     int64    `json:"calls"`
	TotalNs   int64    `json:"total_ns"`
	MeanNs    int64    `json:"mean_ns"`
	MinNs     int64    `json:"min_ns"`
	MaxNs     int64    `json:"max_ns"`
	Ops       []string `json:"ops"`
	Processes []string `json:"processes"` // "comm (PID)", at most 8
	Frames    []Frame  `json:"frames"`    // innermost first, at most 64
	// CallSite is the frame that made the call: the innermost Python
	// line, else the program's own source line (event.CallSite).
	CallSite string `json:"call_site,omitempty"`
	// FramesOmitted counts frames read past the 64 shown.
	FramesOmitted int `json:"frames_omitted,omitempty"`
	// FramesNote says when the stored stack could not be read whole: too
	// big, or not the JSON array the schema describes.
	FramesNote string `json:"frames_note,omitempty" fence:"ours"`
}

// Frame is one resolved frame of a stack.
type Frame struct {
	IP     string `json:"ip"`
	Symbol string `json:"sym,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Module string `json:"mod,omitempty"`
	Lang   string `json:"lang,omitempty"` // "python" for the interpreter's frames
}

const (
	maxFrames     = 64
	maxStackBytes = 64 << 10 // of a stored stack's JSON read per stack
	maxStackProcs = 8
)

type stackAcc struct {
	StackUse
	ops   []event.Key
	procs map[uint32]string
}

func (s *server) stacks(ctx context.Context, in StacksIn) (*StacksOut, error) {
	limit := cmp.Or(in.Limit, 10)
	if limit < 1 || limit > 100 {
		return nil, fmt.Errorf("limit %d: between 1 and 100", in.Limit)
	}
	f, err := opFilter(in.Source, in.Op)
	if err != nil {
		return nil, err
	}
	r, w, err := s.openWindow(in.Common)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := &StacksOut{Window: w.report(), Stacks: []StackUse{}}
	n, err := r.Query(ctx, 1, `SELECT count(*) FROM stacks`)
	if err != nil {
		return nil, err
	}
	if n.Rows[0][0].(int64) == 0 {
		out.Note = "none recorded in this file: it holds no call stacks; record with 'ingero trace --stack'"
		return out, nil
	}
	f.FromNs, f.ToNs = w.FromNs, w.ToNs
	if in.PID != 0 {
		f.PIDs = []uint32{in.PID}
	}
	accs := map[uint64]*stackAcc{}
	err = r.Events(ctx, f, func(ev *event.Event) error {
		if ev.StackID == 0 {
			return nil
		}
		a := accs[ev.StackID]
		if a == nil {
			a = &stackAcc{StackUse: StackUse{Hash: hex(ev.StackID), MinNs: ev.DurNs}, procs: map[uint32]string{}}
			accs[ev.StackID] = a
		}
		a.Calls++
		a.TotalNs += ev.DurNs
		a.MinNs, a.MaxNs = min(a.MinNs, ev.DurNs), max(a.MaxNs, ev.DurNs)
		if !slices.Contains(a.ops, ev.Key()) {
			a.ops = append(a.ops, ev.Key())
		}
		if _, ok := a.procs[ev.PID]; !ok && len(a.procs) < maxStackProcs {
			a.procs[ev.PID] = ev.Comm
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	top := make([]*stackAcc, 0, len(accs))
	for _, a := range accs {
		top = append(top, a)
	}
	slices.SortFunc(top, func(a, b *stackAcc) int {
		return cmp.Or(cmp.Compare(b.TotalNs, a.TotalNs), cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Hash, b.Hash))
	})
	for _, a := range top[:min(limit, len(top))] {
		a.MeanNs = a.TotalNs / a.Calls
		for _, k := range a.ops {
			a.Ops = append(a.Ops, event.OpName(k.Source, k.Op))
		}
		pids := make([]uint32, 0, len(a.procs))
		for p := range a.procs {
			pids = append(pids, p)
		}
		slices.Sort(pids)
		for _, p := range pids {
			a.Processes = append(a.Processes, fmt.Sprintf("%s (%d)", a.procs[p], p))
		}
		if err := loadFrames(ctx, r, &a.StackUse); err != nil {
			return nil, err
		}
		out.Stacks = append(out.Stacks, a.StackUse)
	}
	if len(out.Stacks) == 0 {
		out.Note = "no call with a recorded stack matches in this window; widen since, or drop source/op/pid"
	}
	return out, nil
}

// loadFrames reads at most maxStackBytes of a stored stack and decodes the
// frames that fit: a crafted file may hold a stack of a million frames, or
// one that is not JSON at all, and neither may cost more than a few KiB.
func loadFrames(ctx context.Context, r *store.Reader, st *StackUse) error {
	var id uint64
	fmt.Sscanf(st.Hash, "0x%x", &id)
	res, err := r.Query(ctx, 1, `SELECT substr(frames, 1, ?), length(frames) FROM stacks WHERE id = ?`, maxStackBytes, int64(id))
	if err != nil {
		return err
	}
	st.Frames = []Frame{}
	if len(res.Rows) == 0 {
		return nil
	}
	text, _ := res.Rows[0][0].(string)
	if size, _ := res.Rows[0][1].(int64); size > maxStackBytes {
		st.FramesNote = fmt.Sprintf("the stored stack is %d characters; only the frames in its first %d were read", size, maxStackBytes)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		st.FramesNote = "the stored stack is not a JSON array of frames: the file is damaged or was not written by ingero"
		return nil
	}
	var all []event.Frame
	defer func() {
		if f, ok := event.CallSite(all); ok {
			st.CallSite = f.Site()
		}
	}()
	for dec.More() {
		var f event.Frame
		if err := dec.Decode(&f); err != nil {
			if st.FramesNote == "" {
				st.FramesNote = "the stored stack is malformed past the frames shown"
			}
			break
		}
		if len(st.Frames) == maxFrames {
			st.FramesOmitted++
			continue
		}
		all = append(all, f)
		st.Frames = append(st.Frames, Frame{IP: hex(f.IP), Symbol: f.Symbol, File: f.File, Line: f.Line, Module: f.Module, Lang: f.Lang})
	}
	return nil
}

// opFilter turns the source and op inputs into a filter on ops.
func opFilter(source, op string) (store.Filter, error) {
	var f store.Filter
	switch {
	case op != "":
		oi, ok := event.OpByName(op)
		if !ok {
			return f, fmt.Errorf("unknown op %q: use a name as in docs/events.md, such as cudaMalloc or sched_switch", op)
		}
		if source != "" && oi.Source.String() != source {
			return f, fmt.Errorf("op %s belongs to source %s, not %s", oi.Name, oi.Source, source)
		}
		f.Ops = []event.Key{{Source: oi.Source, Op: oi.Op}}
	case source != "":
		src, ok := event.SourceByName(source)
		if !ok {
			return f, fmt.Errorf("unknown source %q: one of cuda, driver, graph, host, io, tcp, net, nccl, system", source)
		}
		for _, oi := range event.Ops() {
			if oi.Source == src {
				f.Ops = append(f.Ops, event.Key{Source: src, Op: oi.Op})
			}
		}
	}
	return f, nil
}
