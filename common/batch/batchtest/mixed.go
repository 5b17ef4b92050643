package batchtest

import (
	"math"
	"math/rand/v2"
	"slices"

	"ingero.dev/common/event"
)

// peer is another task on the host, as sched and fork events name it.
type peer struct {
	pid  uint32
	comm string
}

// Mixed returns n events of the LaunchStorm loop with host events of the
// same node merged in by time, about three in ten: scheduler switches off
// the traced threads (off-CPU time log-normal, the task that took the CPU
// as peer), wake-ups, page allocations, block reads by data-loader worker
// processes, socket traffic and per-second CPU contention summaries.
func Mixed(seed uint64, n int) []event.Event {
	cuda := LaunchStorm(seed, n-n*3/10)
	if len(cuda) == 0 {
		return cuda
	}
	rng := rand.New(rand.NewPCG(seed, 0x243f6a8885a308d3))
	first, last := cuda[0], cuda[len(cuda)-1]
	span := last.TimeNs - first.TimeNs
	hostN := n - len(cuda)
	peers := []peer{
		{uint32(100 + rng.IntN(900)), "kworker/u64:2"},
		{uint32(10 + rng.IntN(90)), "ksoftirqd/3"},
		{uint32(1000 + rng.IntN(9000)), "containerd-shim"},
		{uint32(1000 + rng.IntN(9000)), "node_exporter"},
	}
	workers := make([]peer, 4)
	for i := range workers {
		workers[i] = peer{first.PID + uint32(200+i*3), "python3"}
	}
	threads := []peer{{first.PID, first.Comm}, {first.TID + 40, "pt_autograd_0"}}
	for _, ev := range cuda {
		if ev.TID != first.PID {
			threads[1] = peer{ev.TID, ev.Comm}
			break
		}
	}
	host := make([]event.Event, 0, hostN)
	for i := 0; i < hostN; i++ {
		t := first.TimeNs + rng.Int64N(max(span, 1))
		ev := event.Event{
			TimeNs: t, PID: first.PID, Node: first.Node, CgroupID: first.CgroupID,
			Source: event.SourceHost, GPU: -1,
		}
		th := threads[rng.IntN(len(threads))]
		ev.TID, ev.Comm = th.pid, th.comm
		cpu := uint64(rng.IntN(32))
		switch r := rng.IntN(100); {
		case r < 45:
			p := peers[rng.IntN(len(peers))]
			ev.Op, ev.DurNs = event.SchedSwitch, int64(20_000*exp(rng, 1.1))
			ev.PeerPID, ev.PeerComm = p.pid, p.comm
			ev.Args = [4]uint64{cpu, uint64(rng.IntN(2))}
		case r < 65:
			p := peers[rng.IntN(len(peers))]
			ev.Op, ev.PeerPID, ev.PeerComm = event.SchedWakeup, p.pid, p.comm
			ev.Args = [4]uint64{cpu}
		case r < 80:
			ev.Op = event.PageAlloc
			ev.Args = [4]uint64{4096 << rng.IntN(4)}
		case r < 90:
			w := workers[rng.IntN(len(workers))]
			ev.Source, ev.Op = event.SourceIO, event.BlockRead
			ev.PID, ev.TID, ev.Comm = w.pid, w.pid, w.comm
			ev.DurNs = int64(180_000 * exp(rng, 0.7))
			ev.Args = [4]uint64{uint64(8 << rng.IntN(6) * 512), rng.Uint64N(1 << 31), 259 << 20}
		case r < 97:
			ev.Source, ev.Op = event.SourceNet, event.NetSend+event.Op(rng.IntN(2))
			ev.DurNs = int64(12_000 * exp(rng, 0.8))
			ev.Args = [4]uint64{uint64(30 + rng.IntN(8)), uint64(64 << rng.IntN(12))}
		default:
			p := peers[rng.IntN(len(peers))]
			ev.Op, ev.PeerPID, ev.PeerComm = event.CPUContention, p.pid, p.comm
			ev.DurNs = int64(rng.IntN(300_000_000))
			ev.Args = [4]uint64{cpu, uint64(rng.IntN(5000))}
		}
		host = append(host, ev)
	}
	all := append(cuda, host...)
	slices.SortStableFunc(all, func(a, b event.Event) int {
		switch {
		case a.TimeNs < b.TimeNs:
			return -1
		case a.TimeNs > b.TimeNs:
			return 1
		}
		return 0
	})
	return all
}

// exp returns a log-normal factor with median 1.
func exp(rng *rand.Rand, sigma float64) float64 {
	return math.Exp(rng.NormFloat64() * sigma)
}
