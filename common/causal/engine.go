package causal

import (
	"os"

	"ingero.dev/common/event"
)

// engine is one analysis window: everything the rules need, gathered in a
// single pass over events in (roughly) time order.
type engine struct {
	node    string // default node, for findings not tied to a process
	tb      timebase
	pids    map[uint32]bool // processes to explain; nil means all
	selfPID uint32          // the analysing process itself, never a culprit
	// grace keeps finished calls and cause intervals open this long past
	// their end, for live batches that arrive out of time order. A
	// recording is read in exact time order and needs none.
	grace int64
	names map[procKey]string

	procs    map[procKey]*proc
	procList []*proc // creation order, so output does not depend on map order
	last     *proc   // the previous event's process: most events repeat it
	gpuProcs []*proc // processes with CUDA runtime or driver calls

	now             int64 // latest event time seen
	firstNs, lastNs int64 // first and last selected event
	events          int64 // selected events

	io    ioState
	hosts map[string]*hostState
	ooms  []oomKill
	leaks map[procKey]*leakState
	graph map[procKey]*graphState // CUDA graph lifecycles (graph.go)
	nccl  ncclState               // collectives by communicator (nccl.go)
}

func newEngine(node string, tb timebase, pids []uint32) *engine {
	e := &engine{
		node:  node,
		tb:    tb,
		procs: make(map[procKey]*proc),
		hosts: make(map[string]*hostState),
		leaks: make(map[procKey]*leakState),
		graph: make(map[procKey]*graphState),
		names: make(map[procKey]string),
	}
	if len(pids) > 0 {
		e.pids = make(map[uint32]bool, len(pids))
		for _, p := range pids {
			e.pids[p] = true
		}
	}
	return e
}

// live sets the engine up for live batches: out-of-order grace, and its
// own process ineligible as a culprit (trace runs it in-process, and its
// own work is never the cause).
func (e *engine) live() *engine {
	e.selfPID = uint32(os.Getpid())
	e.grace = liveGrace
	return e
}

// observe folds one event in. Events of processes outside the PID filter
// still count as causes (IO, GPU co-tenants, OOM kills) but are not
// explained themselves.
func (e *engine) observe(ev *event.Event) {
	t := ev.TimeNs
	if t > e.now {
		e.now = t
	}
	p := e.proc(ev)
	if p.selected {
		e.events++
		if e.firstNs == 0 || t < e.firstNs {
			e.firstNs = t
		}
		if t > e.lastNs {
			e.lastNs = t
		}
	}
	switch ev.Source {
	case event.SourceCUDA, event.SourceDriver:
		e.gpuCall(p, ev)
		if ev.Ret != 0 {
			e.callInCapture(p, ev)
		}
	case event.SourceGraph:
		e.graphEvent(p, ev)
	case event.SourceNCCL:
		e.ncclEvent(p, ev)
	case event.SourceHost:
		e.hostEvent(p, ev)
		if p.selected {
			p.op(ev.Key()).record(&e.tb, ev)
		}
	case event.SourceIO:
		e.ioEvent(p, ev)
		if p.selected {
			p.op(ev.Key()).record(&e.tb, ev)
		}
	default:
		if p.selected {
			p.op(ev.Key()).record(&e.tb, ev)
		}
	}
	if len(p.pending) > 0 {
		e.expire(p, e.now)
	}
}

// proc returns the state of the event's process, creating it.
func (e *engine) proc(ev *event.Event) *proc {
	if p := e.last; p != nil && p.pid == ev.PID && p.node == ev.Node {
		p.name(ev)
		return p
	}
	k := procKey{node: ev.Node, pid: ev.PID}
	p := e.procs[k]
	if p == nil {
		p = &proc{procKey: k, selected: e.pids == nil || e.pids[ev.PID], gpu: -1}
		if n, ok := e.names[k]; ok {
			p.comm, p.mainComm = n, true
		}
		e.procs[k] = p
		e.procList = append(e.procList, p)
	}
	p.name(ev)
	e.last = p
	return p
}

// flush settles every call still in flight: the window is over.
func (e *engine) flush() {
	for _, p := range e.procList {
		e.expire(p, 1<<63-1)
	}
}
