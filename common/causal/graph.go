package causal

import "ingero.dev/common/event"

// graphState is what one process did with CUDA graphs: its captures, the
// executables it instantiated and how it launched them.
type graphState struct {
	open     map[uint64]*capture // by stream, begun and not yet ended
	captures int64
	oom      []captureTrouble // out-of-memory inside a capture
	broken   []captureTrouble // captures that ended in an error, or never ended

	execs                   map[uint64]*execState
	execOrder               []uint64
	launches                int64
	firstLaunch, lastLaunch int64
	// Instantiations after the first launch: re-captures.
	recaptures       int64
	firstRecapture   int64
	recaptureNs      int64 // their instantiate time
	launchesBefore   int64 // launches before the first re-capture
	launchesAfter    int64 // and since
	lastLaunchBefore int64 // the last launch before the first re-capture
}

// capture is one stream capture under way, and the first call that
// failed inside it (what broke it).
type capture struct {
	begin  int64
	stream uint64
	mode   uint64
	fail   failedCall
}

type failedCall struct {
	t    int64
	op   string
	ret  int32
	size uint64
}

// captureTrouble is a capture that went wrong: how it ended (ret, at end;
// end 0 when it never did) and the call inside it that failed.
type captureTrouble struct {
	capture
	end int64
	ret int32
}

type execState struct {
	inst     int64 // instantiated at
	graph    uint64
	launches int64
	// The process's graph launches when it was instantiated: launches of
	// others since then are how long a never-launched one has waited.
	launchesAtInst int64
}

// Bounds: a process that instantiates without end must not grow these.
const (
	maxExecs    = 4096
	maxTroubles = 64
	maxCaptures = 64
)

func (e *engine) graphs(p *proc) *graphState {
	g := e.graph[p.procKey]
	if g == nil {
		g = &graphState{open: map[uint64]*capture{}, execs: map[uint64]*execState{}}
		e.graph[p.procKey] = g
	}
	return g
}

// graphEvent folds in capture, instantiate and launch records.
func (e *engine) graphEvent(p *proc, ev *event.Event) {
	if !p.selected {
		return
	}
	o := p.op(ev.Key())
	o.record(&e.tb, ev)
	g := e.graphs(p)
	switch ev.Op {
	case event.GraphBeginCapture:
		if ev.Ret == 0 && len(g.open) < maxCaptures {
			g.open[ev.Args[0]] = &capture{begin: ev.TimeNs, stream: ev.Args[0], mode: ev.Args[1]}
		}
	case event.GraphEndCapture:
		c := g.open[ev.Args[0]]
		if c == nil {
			return
		}
		delete(g.open, ev.Args[0])
		g.captures++
		if ev.Ret != 0 && c.fail.ret != errOutOfMemory {
			g.broken = appendBounded(g.broken, captureTrouble{*c, ev.TimeNs + max(ev.DurNs, 0), ev.Ret})
		}
	case event.GraphInstantiate:
		if ev.Ret != 0 {
			return
		}
		if g.launches > 0 {
			if g.recaptures == 0 {
				g.firstRecapture = ev.TimeNs
			}
			g.recaptures++
			g.recaptureNs += max(ev.DurNs, 0)
		}
		if _, ok := g.execs[ev.Args[1]]; !ok && ev.Args[1] != 0 && len(g.execs) < maxExecs {
			g.execOrder = append(g.execOrder, ev.Args[1])
		}
		if ev.Args[1] != 0 && (len(g.execs) < maxExecs || g.execs[ev.Args[1]] != nil) {
			g.execs[ev.Args[1]] = &execState{inst: ev.TimeNs, graph: ev.Args[0], launchesAtInst: g.launches}
		}
	case event.GraphLaunch, event.GraphCuLaunch:
		e.graphLaunch(p, g, o, ev)
	}
}

func (e *engine) graphLaunch(p *proc, g *graphState, o *opState, ev *event.Event) {
	if ev.Ret != 0 {
		return
	}
	t := ev.TimeNs
	if g.launches == 0 {
		g.firstLaunch = t
	}
	g.launches++
	g.lastLaunch = max(g.lastLaunch, t)
	if g.recaptures == 0 {
		g.launchesBefore++
		g.lastLaunchBefore = t
	} else {
		g.launchesAfter++
	}
	if x := g.execs[ev.Args[0]]; x != nil {
		x.launches++
	}
	// A launch that takes time may be slowed by what held the CPU.
	if ev.DurNs > 0 {
		e.track(p, o, t, ev.DurNs)
	}
}

// callInCapture notes a failed CUDA call made while the process had a
// capture open: the first one is what broke it (or ran out of memory).
func (e *engine) callInCapture(p *proc, ev *event.Event) {
	g := e.graph[p.procKey]
	if g == nil || len(g.open) == 0 || ev.Ret == 0 {
		return
	}
	for _, c := range g.open {
		if c.fail.t == 0 {
			c.fail = failedCall{ev.TimeNs, ev.OpName(), ev.Ret, ev.Args[0]}
			if ev.Ret == errOutOfMemory {
				g.oom = appendBounded(g.oom, captureTrouble{capture: *c})
			}
		}
	}
}

func appendBounded(s []captureTrouble, c captureTrouble) []captureTrouble {
	if len(s) >= maxTroubles {
		return s
	}
	return append(s, c)
}
