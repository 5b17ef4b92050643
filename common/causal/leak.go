package causal

import (
	"ingero.dev/common/event"
)

// leakState pairs a process's device allocations with their frees by
// pointer and follows the bytes still held. It outlives live windows, as
// leaks show over minutes, and stays bounded: past maxLiveAllocs pointers
// new allocations are counted but not remembered.
type leakState struct {
	live       map[uint64]int64 // pointer → size
	net, peak  int64            // bytes held now, and at most
	allocs     int64
	frees      int64
	unpaired   int64 // frees of unknown pointers without a paired size
	untracked  int64 // allocations not remembered (the map was full)
	allocBytes int64
	freedBytes int64
	level      level            // bytes held, per bucket
	opBytes    map[string]int64 // bytes allocated per op name
}

// leak returns the leak state of p, creating it.
func (e *engine) leak(p *proc) *leakState {
	l := e.leaks[p.procKey]
	if l == nil {
		l = &leakState{live: make(map[uint64]int64), opBytes: make(map[string]int64)}
		e.leaks[p.procKey] = l
	}
	return l
}

// hostAlloc says whether an op allocates or frees pinned host memory,
// which is not device memory and is left out of the balance.
func hostAlloc(o *opState) bool {
	return o.key == event.Key{Source: event.SourceCUDA, Op: event.CudaMallocHost} ||
		o.key == event.Key{Source: event.SourceCUDA, Op: event.CudaFreeHost}
}

func (l *leakState) alloc(o *opState, ev *event.Event) {
	if ev.Ret != 0 || hostAlloc(o) {
		return
	}
	size, ptr := int64(min(ev.Args[0], 1<<50)), ev.Args[1]
	l.allocs++
	l.allocBytes += size
	l.opBytes[o.name] += size
	if ptr != 0 {
		if old, dup := l.live[ptr]; dup {
			// A pointer handed out twice was freed unseen: drop the old one.
			l.net -= old
		}
		if _, dup := l.live[ptr]; dup || len(l.live) < maxLiveAllocs {
			l.live[ptr] = size
		} else {
			l.untracked++
		}
	}
	l.net += size
	l.peak = max(l.peak, l.net)
	l.touch(ev.TimeNs)
}

func (l *leakState) free(o *opState, ev *event.Event) {
	ptr := ev.Args[0]
	if ev.Ret != 0 || ptr == 0 || hostAlloc(o) {
		return
	}
	l.frees++
	size, ok := l.live[ptr]
	if ok {
		delete(l.live, ptr)
	} else if ev.Args[1] != 0 {
		size = int64(min(ev.Args[1], 1<<50))
	} else {
		l.unpaired++
	}
	l.freedBytes += size
	l.net -= size
	l.touch(ev.TimeNs)
}

func (l *leakState) touch(t int64) { l.level.set(t, l.net) }

// oomCalls counts allocations that returned out-of-memory.
type oomCalls struct {
	n       int64
	first   int64
	last    int64
	maxSize int64
}

func (c *oomCalls) add(ev *event.Event) {
	if c.n == 0 {
		c.first = ev.TimeNs
	}
	c.n++
	c.last = max(c.last, ev.TimeNs)
	c.maxSize = max(c.maxSize, int64(min(ev.Args[0], 1<<62)))
}
