package causal

import "ingero.dev/common/event"

// memStall is where one thread waited on host memory, from the memory
// probes (source host): reclaim and compaction stalls, and the major page
// faults it blocked in, by class.
type memStall struct {
	reclaims, cgroupReclaims  int64
	reclaimNs, pagesReclaimed int64
	compactions, compactNs    int64
	fileFaults, fileNs        int64 // read back from a file mapping
	swapIns, swapNs           int64 // read back from swap (or zswap)
	minorNs                   int64 // minor faults that blocked: on a page already being read back, or locked
	first                     int64 // its first stall
	worst                     timed // its longest single reclaim or compaction
}

// ns is the thread's time waiting on memory; the kinds do not overlap
// (bpf/memory leaves reclaim inside a fault out of the fault's time).
func (m *memStall) ns() int64 { return m.reclaimNs + m.compactNs + m.fileNs + m.swapNs + m.minorNs }

// procMemory is a process's memory as the memory probes saw it.
type procMemory struct {
	threads         map[uint32]*memStall
	rssMax, swapMax int64 // mem_usage peaks
	rssAtSwapMax    int64
}

// memEvent folds in one memory event of a selected process.
func (p *proc) memEvent(ev *event.Event) {
	if p.memory == nil {
		p.memory = &procMemory{threads: map[uint32]*memStall{}}
	}
	pm := p.memory
	if ev.Op == event.MemUsage {
		rss, swap := int64(min(ev.Args[0], 1<<50)), int64(min(ev.Args[1], 1<<50))
		pm.rssMax = max(pm.rssMax, rss)
		if swap > pm.swapMax {
			pm.swapMax, pm.rssAtSwapMax = swap, rss
		}
		return
	}
	tid := ev.TID
	if tid == 0 {
		tid = ev.PID
	}
	m := pm.threads[tid]
	if m == nil {
		if len(pm.threads) >= maxThreads {
			return
		}
		m = &memStall{}
		pm.threads[tid] = m
	}
	d := max(ev.DurNs, 0)
	switch ev.Op {
	case event.Reclaim:
		m.reclaims++
		m.reclaimNs += d
		m.pagesReclaimed += int64(min(ev.Args[1], 1<<40))
		if ev.Args[0] == reclaimCgroup {
			m.cgroupReclaims++
		}
		m.worst.keepMax(ev.TimeNs, d)
	case event.Compaction:
		m.compactions++
		m.compactNs += d
		m.worst.keepMax(ev.TimeNs, d)
	case event.FaultFile:
		m.fileFaults += int64(min(ev.Args[0], 1<<40))
		m.fileNs += d
	case event.SwapIn:
		m.swapIns += int64(min(ev.Args[0], 1<<40))
		m.swapNs += d
	case event.FaultMinor:
		if d == 0 {
			return
		}
		m.minorNs += d
	default:
		return
	}
	if m.first == 0 || ev.TimeNs < m.first {
		m.first = ev.TimeNs
	}
}

// reclaimCgroup is mm_reclaim's Args[0] for reclaim forced by the
// thread's cgroup limit (bpf/memory.ReclaimCgroup).
const reclaimCgroup = 2

// memOf returns the memory stalls of one thread of p, nil when none.
func (p *proc) memOf(tid uint32) *memStall {
	if p.memory == nil {
		return nil
	}
	return p.memory.threads[tid]
}
