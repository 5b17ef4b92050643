package causal

import (
	"strings"

	"ingero.dev/common/event"
	"ingero.dev/common/hist"
)

type procKey struct {
	node string
	pid  uint32
}

// proc is what the engine knows of one process.
type proc struct {
	procKey
	comm     string
	mainComm bool // comm is the main thread's (or the recorded process name)
	selected bool

	ops    [numSources]*[256]*opState
	other  map[event.Key]*opState // sources this build does not know
	opList []*opState

	gpuCalls          int64
	gpu               int32  // last device ordinal seen, -1 when unknown
	gpuFirst, gpuLast int64  // first call start, last call end
	lastGPUNs         int64  // latest call start
	gpuRate           series // GPU calls per bucket
	pending           []pendingCall
	preempts          []interval // recent preemptions by culprits
	culprits          []*culprit
	culpritBy         map[peerKey]*culprit
	ownPreempts       int64  // by its own threads or excluded tasks
	sched             bool   // scheduler events were recorded for it
	preemptSeries     series // culprits' preemption off-CPU ns per bucket
	contendSeries     series // culprits' on-CPU ns per bucket (summaries)
	gaps              gapState
	copies            [numKinds]copyDir
	largestCopy       copyCall

	threads    map[uint32]*account // the wall-time account of each thread
	threadList []*account
	lastThread *account
	untracked  int64       // events of threads past maxThreads
	exitNs     int64       // process_exit, 0 when not seen
	memory     *procMemory // the memory probes' stalls and usage, nil without
}

const numSources = 10

// name keeps the best name seen: the main thread's comm beats a worker
// thread's. A recorded process name, set at creation, is kept.
func (p *proc) name(ev *event.Event) {
	if p.mainComm || ev.Comm == "" {
		return
	}
	if ev.TID == ev.PID {
		p.comm, p.mainComm = ev.Comm, true
	} else if p.comm == "" {
		p.comm = ev.Comm
	}
}

// label names the process in text: python3 (PID 4821).
func (p *proc) label() string { return procName(p.comm, p.pid) }

// op returns the state of one op of the process, creating it.
func (p *proc) op(k event.Key) *opState {
	if int(k.Source) < numSources {
		tab := p.ops[k.Source]
		if tab == nil {
			tab = new([256]*opState)
			p.ops[k.Source] = tab
		}
		if o := tab[k.Op]; o != nil {
			return o
		}
		o := newOpState(k)
		tab[k.Op] = o
		p.opList = append(p.opList, o)
		return o
	}
	if o := p.other[k]; o != nil {
		return o
	}
	if p.other == nil {
		p.other = make(map[event.Key]*opState)
	}
	o := newOpState(k)
	p.other[k] = o
	p.opList = append(p.opList, o)
	return o
}

// gpuSpan is the wall time between the first GPU call and the end of the
// last one, the base of the process's time shares.
func (p *proc) gpuSpan() int64 {
	return max(p.gpuLast-p.gpuFirst, 1)
}

// opState is one op of one process.
type opState struct {
	key     event.Key
	name    string
	class   event.Class
	gpu     bool // a CUDA runtime or driver op
	async   bool // returns before the GPU finishes (…Async)
	kind    int  // copy direction fixed by the op (cuMemcpyHtoD…), -1 when in Args[1]
	h       hist.Histogram
	errors  int64
	firstNs int64
	slowest timed
	rate    series // calls per bucket, GPU ops only
	conds   [numConds]*condState
	oom     oomCalls
}

// timed is one call or moment worth quoting: when, and how long.
type timed struct{ t, d int64 }

func (x *timed) keepMax(t, d int64) {
	if d > x.d || x.t == 0 {
		x.t, x.d = t, d
	}
}

func newOpState(k event.Key) *opState {
	o := &opState{key: k, name: event.OpName(k.Source, k.Op), kind: -1}
	if info, ok := event.LookupOp(k.Source, k.Op); ok {
		o.class = info.Class
	}
	o.gpu = k.Source == event.SourceCUDA || k.Source == event.SourceDriver
	o.async = strings.Contains(o.name, "Async")
	switch {
	case strings.Contains(o.name, "HtoD"):
		o.kind = kindH2D
	case strings.Contains(o.name, "DtoH"):
		o.kind = kindD2H
	case strings.Contains(o.name, "DtoD"):
		o.kind = kindD2D
	}
	return o
}

// record counts one call.
func (o *opState) record(tb *timebase, ev *event.Event) {
	o.h.Record(ev.DurNs)
	if ev.Ret != 0 {
		o.errors++
	}
	if o.firstNs == 0 || ev.TimeNs < o.firstNs {
		o.firstNs = ev.TimeNs
	}
	if ev.DurNs > o.slowest.d {
		o.slowest = timed{ev.TimeNs, ev.DurNs}
	}
	if o.gpu {
		o.rate.add(tb, ev.TimeNs, 1)
	}
}

// cond returns the op's state for one condition, creating it.
func (o *opState) cond(c cond) *condState {
	if o.conds[c] == nil {
		o.conds[c] = &condState{by: make(map[peerKey]int64)}
	}
	return o.conds[c]
}

// cpuSet remembers which CPUs preemptions happened on (the first 256).
type cpuSet [4]uint64

func (s *cpuSet) add(cpu uint64) {
	if cpu < 256 {
		s[cpu/64] |= 1 << (cpu % 64)
	}
}

func (s *cpuSet) list() []int {
	var out []int
	for i := range 256 {
		if s[i/64]&(1<<(i%64)) != 0 {
			out = append(out, i)
		}
	}
	return out
}
