package scenario

import (
	"ingero.dev/common/event"
)

// The scenarios, incident first: `ingero demo` runs them in this order.
var scenarios = []Scenario{
	{
		Name:        "incident",
		Description: "a logrotate cron job lands on the training process's cores; stream syncs stall",
		Rule:        "cpu-preemption", Culprit: "logrotate",
		plant: func(l *loop) { preempt(l, "logrotate", 8821, 3, 2_000_000) },
		Real:  Real{Pattern: PatternTrain, Plants: []Plant{{Kind: Hog, Comm: "logrotate", At: 0.4}}},
	},
	{
		Name:        "cpu-contention",
		Description: "a video transcoder pinned to the same CPUs as the data loader",
		Rule:        "cpu-preemption", Culprit: "ffmpeg",
		plant: func(l *loop) { preempt(l, "ffmpeg", 9310, 2, 1_200_000) },
		Real:  Real{Pattern: PatternTrain, Plants: []Plant{{Kind: Hog, Comm: "ffmpeg", At: 0.4}}},
	},
	{
		Name:        "gpu-contention",
		Description: "an embedding service shares the GPU with training",
		Rule:        "multi-process-contention", Culprit: "embedding-svc",
		plant: func(l *loop) { coTenant(l, "embedding-svc", 5032, 2_500_000) },
		Real:  Real{Pattern: PatternTrain, Plants: []Plant{{Kind: Cotenant, Comm: "embedding-svc", At: 1.0 / 3}}},
	},
	{
		Name:        "gpu-steal",
		Description: "a second job floods the GPU with long kernels and steals its time",
		Rule:        "multi-process-contention", Culprit: "batch-infer",
		plant: func(l *loop) { coTenant(l, "batch-infer", 6120, 6_000_000) },
		Real:  Real{Pattern: PatternTrain, Plants: []Plant{{Kind: Cotenant, Comm: "batch-infer", At: 1.0 / 3, Heavy: true}}},
	},
	{
		Name:        "contention",
		Description: "the loop's memory runs out: it swaps, and every step waits on reclaim and page faults",
		Rule:        "memory-pressure", Culprit: "memory pressure",
		plant: swapStorm,
		// The loop alone is confined (a cgroup memory.max below its
		// working set): the host's other work never swaps for it.
		Real: Real{Pattern: PatternPaging, WorkingSet: 96 << 20},
	},
	{
		Name:        "cold-start",
		Description: "the caching allocator is emptied every step (torch.cuda.empty_cache)",
		Rule:        "alloc-churn", Culprit: "cudaMalloc",
		plant: allocChurn,
		Real:  Real{Pattern: PatternChurn},
	},
	{
		Name:        "memcpy-bottleneck",
		Description: "pageable host memory: each step copies 256 MiB host-to-device synchronously",
		Rule:        "memcpy-bound", Culprit: "H2D",
		plant: bigCopies,
		Real:  Real{Pattern: PatternCopy},
	},
	{
		Name:        "periodic-spike",
		Description: "the loop saves a 128 MiB checkpoint every second and fsyncs it (torch.save in the loop); its steps stall on the disk",
		Rule:        "block-io", Culprit: "blocked in IO",
		plant: checkpoints,
		Real:  Real{Pattern: PatternCkpt},
	},
}

// preempt plants a CPU hog: in one step out of every `every`, the training
// thread is preempted by comm for about offNs, which its sync absorbs, and
// each second the contention summary names the hog.
func preempt(l *loop, comm string, pid uint32, every int, offNs float64) {
	l.hooks = append(l.hooks, func(l *loop, slow *int64) {
		if l.r.IntN(every) != 0 {
			return
		}
		off := l.lognormal(offNs, 0.4)
		l.emit(event.Event{TimeNs: l.now, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: off,
			Args: [4]uint64{3, 1, 3}, GPU: -1, PeerPID: pid, PeerComm: comm})
		*slow += off
	})
	l.second = func(l *loop, t int64) {
		l.emit(event.Event{TimeNs: t, Source: event.SourceHost, Op: event.CPUContention,
			DurNs: l.lognormal(600_000_000, 0.1), Args: [4]uint64{3, uint64(200 + l.r.IntN(80))},
			GPU: -1, PeerPID: pid, PeerComm: comm})
	}
}

// coTenant plants a second process making GPU calls; its kernels queue in
// front of training's, so training's syncs wait about extraNs longer.
func coTenant(l *loop, comm string, pid uint32, extraNs float64) {
	l.hooks = append(l.hooks, func(l *loop, slow *int64) {
		for k := 0; k < 12; k++ {
			l.emit(event.Event{TimeNs: l.now + int64(k)*2000, PID: pid, TID: pid, Comm: comm,
				Source: event.SourceDriver, Op: event.CuLaunchKernel, GPU: 0,
				Args: [4]uint64{0x7f99aa000000 + uint64(k%3)*0x400, 0x5600dead0000, 64, 128}})
		}
		d := l.lognormal(extraNs/4, 0.3)
		l.emit(event.Event{TimeNs: l.now + 30_000, PID: pid, TID: pid, Comm: comm, Source: event.SourceCUDA,
			Op: event.CudaStreamSynchronize, DurNs: d, GPU: 0, Args: [4]uint64{0x5600dead0000}})
		if l.r.IntN(2) == 0 {
			*slow += l.lognormal(extraNs, 0.3)
		}
	})
}

// swapStorm: from a third of the way in, available memory collapses and
// swap grows; syncs slow down by page-fault stalls.
func swapStorm(l *loop) {
	onset := l.start + (l.end-l.start)/3
	l.host = func(l *loop, t int64) event.Snapshot {
		s := calmHost(l, t)
		if t >= onset {
			frac := float64(t-onset) / float64(l.end-onset+1)
			s.MemPct, s.MemAvailMB = 97+2*frac, 400-int64(300*frac)
			s.SwapUsedMB = 1500 + int64(6000*frac)
			s.Load1 = 9 + 3*frac
		}
		return s
	}
	l.hooks = append(l.hooks, func(l *loop, slow *int64) {
		if l.now >= onset && l.r.IntN(2) == 0 {
			*slow += l.lognormal(3_000_000, 0.5)
		}
	})
}

// allocChurn: every step frees and re-allocates its activations.
func allocChurn(l *loop) {
	next := uint64(0x7f4000000000)
	l.hooks = append(l.hooks, func(l *loop, _ *int64) {
		var ptrs []uint64
		for i := 0; i < 6; i++ {
			size := uint64(64<<20) << (i % 3)
			next += 0x10000000
			ptrs = append(ptrs, next)
			l.call(event.SourceCUDA, event.CudaMalloc, l.lognormal(900_000, 0.6), [4]uint64{size, next})
		}
		for _, p := range ptrs {
			l.call(event.SourceCUDA, event.CudaFree, l.lognormal(250_000, 0.4), [4]uint64{p, 0})
		}
	})
}

// bigCopies: a synchronous 256 MiB host-to-device copy per step.
func bigCopies(l *loop) {
	l.hooks = append(l.hooks, func(l *loop, _ *int64) {
		l.call(event.SourceCUDA, event.CudaMemcpy, l.lognormal(21_000_000, 0.1), [4]uint64{256 << 20, 1})
	})
}

// checkpoints: every second the training loop itself writes a 128 MiB
// checkpoint and fsyncs it: 16 block writes and a flush it submits, while
// it waits in D state (uninterruptible) between its CUDA calls.
func checkpoints(l *loop) {
	const period = 1e9
	next := l.start + period
	l.hooks = append(l.hooks, func(l *loop, _ *int64) {
		if l.now < next {
			return
		}
		next += period
		wait := l.lognormal(150_000_000, 0.2)
		dev := uint64(259 << 20)
		l.emit(event.Event{TimeNs: l.now, Source: event.SourceHost, Op: event.SchedSwitch, DurNs: wait,
			Args: [4]uint64{3, 0, 3, 2}, GPU: -1})
		for i := 0; i < 16; i++ {
			l.emit(event.Event{TimeNs: l.now + int64(i)*2000, Source: event.SourceIO, Op: event.BlockWrite,
				DurNs: wait / 2, Args: [4]uint64{8 << 20, uint64(l.r.Int64N(1 << 30)), dev}, GPU: -1})
		}
		l.emit(event.Event{TimeNs: l.now + wait*3/4, Source: event.SourceIO, Op: event.BlockFlush,
			DurNs: wait / 5, Args: [4]uint64{dev}, GPU: -1})
		l.now += wait + 5000
	})
}
