package store

import (
	"math/rand/v2"

	"ingero.dev/common/event"
)

// workload generates events shaped like a training loop on one GPU: mostly
// entry-only cuLaunchKernel about every 5µs with jitter, some async copies
// and stream syncs with durations, and host scheduler events.
type workload struct {
	rng    *rand.Rand
	node   string
	pid    uint32
	comm   string
	timeNs int64
}

func newWorkload(seed uint64, node string, pid uint32, startNs int64) *workload {
	return &workload{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), node: node, pid: pid, comm: "python3", timeNs: startNs}
}

var (
	kernelFns   = [...]uint64{0x7f3a_1c00_1a40, 0x7f3a_1c00_2b80, 0x7f3a_1c00_3cc0, 0x7f3a_1c00_4e00, 0x7f3a_1c00_5f40, 0x7f3a_1c00_7080, 0x7f3a_1c00_81c0, 0x7f3a_1c00_9300}
	copyBytes   = [...]uint64{4 << 10, 64 << 10, 1 << 20, 16 << 20}
	peerComms   = [...]string{"kworker/3:1", "ksoftirqd/3", "node_exporter", "containerd"}
	peerPIDs    = [...]uint32{181, 29, 1337, 812}
	launchStack = [...]uint64{0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8}
)

func (w *workload) next(ev *event.Event) {
	r := w.rng
	w.timeNs += 5000 + int64(r.IntN(3001)) - 1500
	*ev = event.Event{
		TimeNs: w.timeNs, PID: w.pid, TID: w.pid + uint32(r.IntN(2)), Comm: w.comm,
		Node: w.node, CgroupID: 0x2f3a, GPU: 0,
	}
	switch p := r.IntN(100); {
	case p < 85:
		k := r.IntN(len(kernelFns))
		ev.Source, ev.Op = event.SourceDriver, event.CuLaunchKernel
		ev.Args = [4]uint64{kernelFns[k], 0x5555_0000 + uint64(r.IntN(2)), 256 << 32, 128}
		ev.StackID = launchStack[k]
	case p < 91:
		ev.Source, ev.Op = event.SourceCUDA, event.CudaMemcpyAsync
		ev.DurNs = 8000 + int64(r.IntN(190000))
		ev.Args = [4]uint64{copyBytes[r.IntN(len(copyBytes))], uint64(1 + r.IntN(2)), 0x5555_0000}
		ev.StackID = 0xb1
	case p < 94:
		ev.Source, ev.Op = event.SourceCUDA, event.CudaStreamSynchronize
		ev.DurNs = 500000 + int64(r.IntN(4500000))
		ev.Args = [4]uint64{0x5555_0000}
		ev.StackID = 0xc1
	case p < 95:
		ev.Source, ev.Op = event.SourceCUDA, event.CudaMalloc
		ev.DurNs = 20000 + int64(r.IntN(80000))
		ev.Args = [4]uint64{copyBytes[r.IntN(len(copyBytes))], 0x7f00_0000_0000 + uint64(r.IntN(1<<20))<<12}
		if r.IntN(10) == 0 {
			ev.Ret = 2 // cudaErrorMemoryAllocation
		}
	default:
		i := r.IntN(len(peerPIDs))
		ev.Source, ev.Op = event.SourceHost, event.SchedSwitch
		ev.DurNs = 20000 + int64(r.IntN(480000))
		ev.Args = [4]uint64{3, uint64(r.IntN(2))}
		ev.PeerPID, ev.PeerComm = peerPIDs[i], peerComms[i]
	}
}

func (w *workload) events(n int) []event.Event {
	evs := make([]event.Event, n)
	for i := range evs {
		w.next(&evs[i])
	}
	return evs
}
