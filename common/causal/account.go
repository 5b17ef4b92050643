package causal

import (
	"slices"

	"ingero.dev/common/event"
)

// bucket is where one nanosecond of a thread's life went.
type bucket uint8

const (
	inCUDA   bucket = iota // inside a CUDA runtime or driver call, on or off CPU
	onCPU                  // on-CPU between calls: Python, data preparation, the framework
	runnable               // between calls, preempted: runnable but another task had the CPU
	ioWait                 // between calls, blocked in the kernel uninterruptibly (D): disk IO, page faults
	sleeping               // between calls, sleeping (S): locks, queues, DataLoader workers, timers
	blocked                // between calls, off-CPU in a state the recording lacks (before prev_state was recorded)
	exited                 // after the process exited
	numBuckets
)

var bucketNames = [numBuckets]string{"cuda", "on_cpu", "runnable", "io_wait", "sleeping", "blocked", "exited"}

// Linux task states at switch-out (sched_switch Args[3]).
const (
	taskInterruptible   = 0x1
	taskUninterruptible = 0x2
	taskNoload          = 0x400 // TASK_IDLE: uninterruptible but not waiting on anything
)

// offBucket is the bucket of an off-CPU interval: preempted, or blocked in
// the state the thread left the CPU in.
func offBucket(ev *event.Event) bucket {
	if ev.Args[1] == 1 {
		return runnable
	}
	st := ev.Args[3]
	switch {
	case st&taskUninterruptible != 0 && st&taskNoload == 0:
		return ioWait
	case st != 0:
		return sleeping
	}
	return blocked
}

// account is the wall-time account of one thread: every nanosecond from
// its first event to the end of the window in exactly one bucket. Calls
// and off-CPU intervals arrive in start order; the time up to `at` is
// settled, and the intervals that may reach past it are pending.
type account struct {
	tid   uint32
	comm  string
	first int64 // its first event: where its life in the window starts
	at    int64 // settled up to here

	callEnd int64 // end of the latest call
	drained bool  // the latest call waited for the GPU (a sync): it idles until the next one
	off     offSpan

	ns [numBuckets]int64
	// idle is the part of each between-calls bucket during which the GPU
	// had drained and no other call of the process or the GPU came.
	idle    [numBuckets]int64
	gapIdle [numBuckets]int64 // the current gap's, committed when it closes
	gapRef  int64             // the process's GPU call count when the gap opened
	// idle gaps of at least gapMinNs: how many, the first and the longest
	idleGaps            int64
	firstIdle, longIdle timed

	gpuCalls int64
	peers    []peerNs // runnable time by the task that took the CPU
	io       threadIO
}

type offSpan struct {
	start, end int64
	b          bucket
	peer       peerKey
}

type peerNs struct {
	peerKey
	ns    int64
	times int64
}

// threadIO is the block IO a thread submitted itself.
type threadIO struct {
	requests, flushes int64
	first             int64 // its first request
	readBytes         int64
	writeBytes        int64
	latencyNs         int64
	devices           []uint64
}

const (
	maxThreads     = 1024 // accounted per process; the rest are counted
	maxPeersPerTID = 32
	maxDevices     = 8
)

// advance settles [at, to]: calls first, then the pending off-CPU
// interval, the rest on-CPU. Nothing later than `to` has started.
func (a *account) advance(to int64) {
	for a.at < to {
		switch {
		case a.at < a.callEnd:
			next := min(a.callEnd, to)
			a.ns[inCUDA] += next - a.at
			a.at = next
		case a.off.end > a.at && a.off.start <= a.at:
			next := min(a.off.end, to)
			a.settle(a.off.b, next-a.at)
			if a.off.b == runnable {
				a.blame(a.off.peer, next-a.at)
			}
			a.at = next
		default:
			next := to
			if a.off.start > a.at {
				next = min(next, a.off.start)
			}
			a.settle(onCPU, next-a.at)
			a.at = next
		}
	}
}

// settle adds between-calls time to a bucket, and to the gap's idle time
// when the GPU had drained.
func (a *account) settle(b bucket, d int64) {
	a.ns[b] += d
	if a.drained {
		a.gapIdle[b] += d
	}
}

func (a *account) blame(k peerKey, d int64) {
	for i := range a.peers {
		if a.peers[i].peerKey == k {
			a.peers[i].ns += d
			return
		}
	}
	if len(a.peers) >= maxPeersPerTID {
		k = otherTasks
		for i := range a.peers {
			if a.peers[i].peerKey == k {
				a.peers[i].ns += d
				return
			}
		}
		a.peers[len(a.peers)-1] = peerNs{peerKey: k, ns: a.peers[len(a.peers)-1].ns + d}
		return
	}
	a.peers = append(a.peers, peerNs{peerKey: k, ns: d})
}

// start opens the account at its first event.
func (a *account) start(t int64) {
	if a.first == 0 {
		a.first, a.at = t, t
	}
}

// call books a GPU call of the thread. idleGap says whether the GPU stayed
// idle through the gap that this call closes (no other call on it).
func (a *account) call(t, d int64, drains, idleGap bool) {
	a.start(t)
	a.advance(t)
	a.closeGap(idleGap)
	a.gpuCalls++
	if t+d >= a.callEnd {
		a.callEnd = t + d
		a.drained = drains
	}
}

func (a *account) closeGap(idle bool) {
	if idle {
		var gap int64
		for b := range a.idle {
			a.idle[b] += a.gapIdle[b]
			gap += a.gapIdle[b]
		}
		if gap >= gapMinNs {
			a.idleGaps++
			a.longIdle.keepMax(a.callEnd, gap)
			if a.firstIdle.t == 0 {
				a.firstIdle = timed{a.callEnd, gap}
			}
		}
	}
	a.gapIdle = [numBuckets]int64{}
	a.drained = false
}

// offCPU books an off-CPU interval of the thread.
func (a *account) offCPU(t, d int64, b bucket, peer peerKey) {
	a.start(t)
	a.advance(t)
	if a.off.end > t { // overlapping intervals: the newer one wins
		a.off.end = t
	}
	a.off = offSpan{start: t, end: t + d, b: b, peer: peer}
	if b == runnable {
		a.peerSwitch(peer)
	}
}

func (a *account) peerSwitch(k peerKey) {
	for i := range a.peers {
		if a.peers[i].peerKey == k {
			a.peers[i].times++
			return
		}
	}
	if len(a.peers) < maxPeersPerTID {
		a.peers = append(a.peers, peerNs{peerKey: k, times: 1})
		return
	}
	for i := range a.peers {
		if a.peers[i].peerKey == otherTasks {
			a.peers[i].times++
			return
		}
	}
}

// blockIO books a block request the thread submitted.
func (a *account) blockIO(ev *event.Event) {
	io := &a.io
	if io.requests == 0 {
		io.first = ev.TimeNs
	}
	io.requests++
	io.latencyNs += max(ev.DurNs, 0)
	dev := ev.Args[2]
	switch ev.Op {
	case event.BlockFlush:
		io.flushes++
		dev = ev.Args[0]
	case event.BlockRead:
		io.readBytes += int64(min(ev.Args[0], 1<<50))
	default:
		io.writeBytes += int64(min(ev.Args[0], 1<<50))
	}
	if dev != 0 && !slices.Contains(io.devices, dev) && len(io.devices) < maxDevices {
		io.devices = append(io.devices, dev)
	}
}

// closed returns the account settled up to end, the process having
// exited at exit (0 when it did not), without changing a: live callers
// ask again later. idleTail says whether the trailing gap left the GPU
// idle.
func (a *account) closed(end, exit int64, idleTail bool) account {
	c := *a
	c.peers = slices.Clone(a.peers)
	end = max(end, c.at)
	stop := end
	if exit > 0 && exit < end {
		stop = max(exit, c.at)
	}
	c.advance(stop)
	c.closeGap(idleTail)
	if c.at < end {
		c.ns[exited] += end - c.at
		c.at = end
	}
	return c
}

// wall is the time the account covers.
func (a *account) wall() int64 {
	var s int64
	for _, v := range a.ns {
		s += v
	}
	return s
}

// between is the time between calls, every state.
func (a *account) between() int64 {
	return a.ns[onCPU] + a.ns[runnable] + a.ns[ioWait] + a.ns[sleeping] + a.ns[blocked]
}

// thread returns the account of the event's thread, creating it; nil past
// maxThreads.
func (p *proc) thread(ev *event.Event) *account {
	tid := ev.TID
	if tid == 0 {
		tid = ev.PID
	}
	if a := p.lastThread; a != nil && a.tid == tid {
		return a
	}
	a := p.threads[tid]
	if a == nil {
		if len(p.threadList) >= maxThreads {
			p.untracked++
			return nil
		}
		if p.threads == nil {
			p.threads = make(map[uint32]*account)
		}
		a = &account{tid: tid}
		p.threads[tid] = a
		p.threadList = append(p.threadList, a)
	}
	if a.comm == "" || tid == ev.TID {
		a.comm = ev.Comm
	}
	p.lastThread = a
	return a
}
