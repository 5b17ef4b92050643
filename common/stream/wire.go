package stream

import (
	"ingero.dev/common/event"
)

// The JSON shapes below are the format, decoupled from the Go structs in
// common/event so that renaming a Go field cannot change a file. New
// fields may be added in a minor version; readers ignore unknown ones.

type frameWire struct {
	IP     uint64 `json:"ip"`
	Symbol string `json:"sym,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Module string `json:"mod,omitempty"`
	Lang   string `json:"lang,omitempty"`
}

type stackWire struct {
	ID     uint64      `json:"id"`
	Frames []frameWire `json:"frames"`
}

func stackToWire(s event.Stack) stackWire {
	w := stackWire{ID: s.ID, Frames: make([]frameWire, len(s.Frames))}
	for i, f := range s.Frames {
		w.Frames[i] = frameWire(f)
	}
	return w
}

func (w stackWire) record() event.Stack {
	s := event.Stack{ID: w.ID, Frames: make([]event.Frame, len(w.Frames))}
	for i, f := range w.Frames {
		s.Frames[i] = event.Frame(f)
	}
	return s
}

type snapshotWire struct {
	TimeNs     int64     `json:"time_ns"`
	Node       string    `json:"node"`
	CPUPct     jsonFloat `json:"cpu_pct"`
	MemPct     jsonFloat `json:"mem_pct"`
	MemAvailMB int64     `json:"mem_avail_mb"`
	SwapUsedMB int64     `json:"swap_used_mb"`
	Load1      jsonFloat `json:"load1"`
	GPUs       []gpuWire `json:"gpus,omitempty"` // added later: readers before it ignore it
}

type gpuWire struct {
	GPU     int32         `json:"gpu"`
	UtilPct jsonFloat     `json:"util_pct"`
	MemPct  jsonFloat     `json:"mem_pct"`
	Procs   []gpuProcWire `json:"procs,omitempty"`
}

type gpuProcWire struct {
	PID    uint32    `json:"pid"`
	SMPct  jsonFloat `json:"sm_pct"`
	MemPct jsonFloat `json:"mem_pct"`
}

func snapshotToWire(s event.Snapshot) snapshotWire {
	w := snapshotWire{s.TimeNs, s.Node, jsonFloat(s.CPUPct), jsonFloat(s.MemPct), s.MemAvailMB, s.SwapUsedMB, jsonFloat(s.Load1), nil}
	for _, g := range s.GPUs {
		gw := gpuWire{GPU: g.GPU, UtilPct: jsonFloat(g.UtilPct), MemPct: jsonFloat(g.MemPct)}
		for _, p := range g.Procs {
			gw.Procs = append(gw.Procs, gpuProcWire{p.PID, jsonFloat(p.SMPct), jsonFloat(p.MemPct)})
		}
		w.GPUs = append(w.GPUs, gw)
	}
	return w
}

func (w snapshotWire) record() event.Snapshot {
	s := event.Snapshot{TimeNs: w.TimeNs, Node: w.Node, CPUPct: float64(w.CPUPct), MemPct: float64(w.MemPct),
		MemAvailMB: w.MemAvailMB, SwapUsedMB: w.SwapUsedMB, Load1: float64(w.Load1)}
	for _, g := range w.GPUs {
		gu := event.GPUUtil{GPU: g.GPU, UtilPct: float64(g.UtilPct), MemPct: float64(g.MemPct)}
		for _, p := range g.Procs {
			gu.Procs = append(gu.Procs, event.GPUProcUtil{PID: p.PID, SMPct: float64(p.SMPct), MemPct: float64(p.MemPct)})
		}
		s.GPUs = append(s.GPUs, gu)
	}
	return s
}

type processWire struct {
	Node    string `json:"node"`
	PID     uint32 `json:"pid"`
	Comm    string `json:"comm"`
	Cmdline string `json:"cmdline,omitempty"`
	FirstNs int64  `json:"first_ns"`
	LastNs  int64  `json:"last_ns"`
}

func processToWire(p event.ProcessName) processWire { return processWire(p) }

func (w processWire) record() event.ProcessName { return event.ProcessName(w) }

type timelineWire struct {
	TimeNs int64  `json:"time_ns"`
	Layer  string `json:"layer"`
	Detail string `json:"detail"`
}

type chainWire struct {
	ID         string         `json:"id"`
	Node       string         `json:"node"`
	DetectedNs int64          `json:"detected_ns"`
	Severity   string         `json:"severity"` // HIGH, MEDIUM or LOW
	Rule       string         `json:"rule"`
	Op         string         `json:"op,omitempty"`
	PID        uint32         `json:"pid,omitempty"`
	Summary    string         `json:"summary"`
	RootCause  string         `json:"root_cause"`
	Fix        string         `json:"fix"`
	Timeline   []timelineWire `json:"timeline,omitempty"`
	Evidence   map[string]any `json:"evidence,omitempty"`
}

func chainToWire(c event.Chain) chainWire {
	w := chainWire{
		ID: c.ID, Node: c.Node, DetectedNs: c.DetectedNs, Severity: c.Severity.String(),
		Rule: c.Rule, Op: c.Op, PID: c.PID, Summary: c.Summary, RootCause: c.RootCause, Fix: c.Fix,
		Evidence: finiteMap(c.Evidence),
	}
	for _, t := range c.Timeline {
		w.Timeline = append(w.Timeline, timelineWire(t))
	}
	return w
}

func (w chainWire) record() event.Chain {
	sev, _ := event.ParseSeverity(w.Severity) // unknown: 0, shown as UNKNOWN
	c := event.Chain{
		ID: w.ID, Node: w.Node, DetectedNs: w.DetectedNs, Severity: sev,
		Rule: w.Rule, Op: w.Op, PID: w.PID, Summary: w.Summary, RootCause: w.RootCause, Fix: w.Fix,
		Evidence: w.Evidence,
	}
	for _, t := range w.Timeline {
		c.Timeline = append(c.Timeline, event.TimelineEntry(t))
	}
	return c
}

type annotationWire struct {
	TimeNs    int64             `json:"time_ns"`
	PID       uint32            `json:"pid,omitempty"`
	Node      string            `json:"node,omitempty"`
	SpanStart int64             `json:"span_start_ns,omitempty"`
	SpanEnd   int64             `json:"span_end_ns,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	Sender    *senderWire       `json:"sender,omitempty"`
}

type senderWire struct {
	PID        uint32 `json:"pid"`
	UID        uint32 `json:"uid"`
	GID        uint32 `json:"gid"`
	StartTicks uint64 `json:"start_ticks"`
}

func annotationToWire(a event.Annotation) annotationWire {
	w := annotationWire{TimeNs: a.TimeNs, PID: a.PID, Node: a.Node, SpanStart: a.SpanStart, SpanEnd: a.SpanEnd, Labels: a.Labels}
	if a.Sender != nil {
		s := senderWire(*a.Sender)
		w.Sender = &s
	}
	return w
}

func (w annotationWire) record() event.Annotation {
	a := event.Annotation{TimeNs: w.TimeNs, PID: w.PID, Node: w.Node, SpanStart: w.SpanStart, SpanEnd: w.SpanEnd, Labels: w.Labels}
	if w.Sender != nil {
		s := event.Sender(*w.Sender)
		a.Sender = &s
	}
	return a
}
