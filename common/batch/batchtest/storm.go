package batchtest

import (
	"math"
	"math/rand/v2"

	"ingero.dev/common/event"
)

// kernel is one CUDA kernel as the driver sees it: a CUfunction handle and
// the launch geometry its call site uses.
type kernel struct {
	fn     uint64
	grid   uint64
	block  uint64
	gapNs  float64 // typical CPU time between this launch and the previous call
	splitK bool    // cuBLAS sometimes adds a split-K reduction after it
}

// The trace-side packing of a dim3 into one argument: x in the low 32 bits,
// then y and z in 16 bits each (both are at most 65535 in CUDA).
func dim3(x, y, z uint64) uint64 { return x | y<<32 | z<<48 }

// storm is the state of a PyTorch-like training loop: a small transformer
// whose forward pass runs on the Python main thread and whose backward pass
// runs on the autograd engine's thread, as PyTorch does.
type storm struct {
	rng      *rand.Rand
	now      int64
	pid      uint32
	mainTID  uint32
	gradTID  uint32
	stream   uint64
	cgroup   uint64
	node     string
	forward  []kernel
	backward []kernel
	optim    []kernel
	reduce   kernel
	step     int
	out      []event.Event
}

const (
	comm     = "python3"
	gradComm = "pt_autograd_0" // PyTorch names its autograd thread so
)

func newStorm(seed uint64) *storm {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	s := &storm{
		rng: rng,
		// Some instant in 2025, at nanosecond resolution like ktime.
		now:    1_750_000_000_000_000_000 + rng.Int64N(100_000_000_000_000),
		pid:    uint32(2000 + rng.IntN(4_000_000)),
		stream: 0x5500_0000_0000 + rng.Uint64N(1<<36)&^0xf,
		cgroup: uint64(4000 + rng.IntN(200_000)),
		node:   "gpu-node-07",
	}
	s.mainTID = s.pid
	s.gradTID = s.pid + uint32(20+rng.IntN(40))
	// CUfunction handles are heap pointers inside the driver, 16-byte
	// aligned and clustered.
	base := 0x7f00_0000_0000 + rng.Uint64N(1<<36)&^0xfff
	fn := func() uint64 { return base + rng.Uint64N(1<<24)&^0xf }
	ln, gemmA, gemmB, softmax, add, gelu := fn(), fn(), fn(), fn(), fn(), fn()
	lnBwd, geluBwd, softmaxBwd, reduceSum, adam, fill := fn(), fn(), fn(), fn(), fn(), fn()
	tok := uint64(8 * 512) // batch × sequence
	rows := dim3(tok, 1, 1)
	ew := func(n uint64) uint64 { return dim3((n+511)/512, 1, 1) }
	gemm := func(f, m, n uint64, k bool) kernel {
		return kernel{fn: f, grid: dim3((n+127)/128, (m+127)/128, 1), block: dim3(256, 1, 1), gapNs: 7600, splitK: k}
	}
	// One transformer layer, d_model 1024, forward then backward.
	s.forward = []kernel{
		{fn: ln, grid: rows, block: dim3(128, 1, 1), gapNs: 6200},
		gemm(gemmA, tok, 3072, false),
		{fn: softmax, grid: dim3(tok*16/4, 1, 1), block: dim3(128, 1, 1), gapNs: 6900},
		gemm(gemmB, tok, 1024, true),
		{fn: add, grid: ew(tok * 1024), block: dim3(128, 1, 1), gapNs: 5400},
		{fn: ln, grid: rows, block: dim3(128, 1, 1), gapNs: 6200},
		gemm(gemmA, tok, 4096, false),
		{fn: gelu, grid: ew(tok * 4096), block: dim3(128, 1, 1), gapNs: 5600},
		gemm(gemmB, tok, 1024, true),
		{fn: add, grid: ew(tok * 1024), block: dim3(128, 1, 1), gapNs: 5400},
	}
	s.backward = []kernel{
		{fn: reduceSum, grid: dim3(1024/32, 1, 1), block: dim3(32, 16, 1), gapNs: 5200},
		gemm(gemmB, tok, 4096, false),
		gemm(gemmA, 1024, 4096, true),
		{fn: geluBwd, grid: ew(tok * 4096), block: dim3(128, 1, 1), gapNs: 5100},
		gemm(gemmB, tok, 1024, false),
		gemm(gemmA, 4096, 1024, true),
		{fn: lnBwd, grid: rows, block: dim3(256, 1, 1), gapNs: 5300},
		{fn: add, grid: ew(tok * 1024), block: dim3(128, 1, 1), gapNs: 5000},
		gemm(gemmB, tok, 1024, false),
		{fn: softmaxBwd, grid: dim3(tok*16/4, 1, 1), block: dim3(128, 1, 1), gapNs: 5600},
		gemm(gemmB, tok, 3072, false),
		gemm(gemmA, 1024, 3072, true),
		{fn: lnBwd, grid: rows, block: dim3(256, 1, 1), gapNs: 5300},
	}
	s.optim = []kernel{
		{fn: adam, grid: dim3(320, 1, 1), block: dim3(512, 1, 1), gapNs: 7900},
		{fn: fill, grid: dim3(320, 1, 1), block: dim3(512, 1, 1), gapNs: 6000},
	}
	s.reduce = kernel{fn: reduceSum, grid: dim3(64, 8, 1), block: dim3(32, 4, 1), gapNs: 5000}
	return s
}

// LaunchStorm returns n events of a PyTorch-like training loop on one
// process: driver kernel launches recorded at entry only (DurNs 0) every
// 5–8 µs with jitter and rare preemption gaps, twelve distinct kernels in
// a per-layer order that varies (cuBLAS split-K reductions come and go,
// the optimizer runs every other step), an input copy at the start of each
// step and a loss read-back with a stream synchronize at its end, their
// durations log-normal. The forward pass and optimizer run on the main
// thread, the backward pass on PyTorch's autograd thread.
func LaunchStorm(seed uint64, n int) []event.Event {
	s := newStorm(seed)
	s.out = make([]event.Event, 0, n+64)
	for len(s.out) < n {
		s.trainStep()
	}
	return s.out[:n]
}

func (s *storm) trainStep() {
	s.step++
	layers := 4
	s.copyAsync(s.mainTID, comm, 8*512*8, 1) // token ids, host to device
	for l := 0; l < layers; l++ {
		s.launches(s.mainTID, comm, s.forward)
	}
	s.now += int64(15_000 + s.rng.IntN(40_000)) // loss, backward() dispatch in Python
	for l := 0; l < layers; l++ {
		s.launches(s.gradTID, gradComm, s.backward)
	}
	if s.step%2 == 0 { // gradient accumulation over two micro-batches
		s.launches(s.mainTID, comm, s.optim)
	}
	s.copyAsync(s.mainTID, comm, 4, 2) // loss.item()
	s.sync(s.mainTID, comm, s.lognormal(1.6e6, 0.35))
}

func (s *storm) launches(tid uint32, name string, ks []kernel) {
	for _, k := range ks {
		s.launch(tid, name, k)
		if k.splitK && s.rng.Float64() < 0.3 {
			s.launch(tid, name, s.reduce)
		}
	}
}

func (s *storm) launch(tid uint32, name string, k kernel) {
	s.advance(k.gapNs)
	s.emit(tid, name, event.SourceDriver, event.CuLaunchKernel, 0, [4]uint64{k.fn, s.stream, k.grid, k.block})
}

func (s *storm) copyAsync(tid uint32, name string, bytes, kind uint64) {
	s.advance(6500)
	d := s.lognormal(9000, 0.45)
	s.emit(tid, name, event.SourceCUDA, event.CudaMemcpyAsync, d, [4]uint64{bytes, kind, s.stream})
	s.now += d
}

func (s *storm) sync(tid uint32, name string, d int64) {
	s.advance(3000)
	s.emit(tid, name, event.SourceCUDA, event.CudaStreamSynchronize, d, [4]uint64{s.stream})
	s.now += d
}

// advance moves the clock by one inter-call gap: the typical CPU time
// with Gaussian jitter, an exponential tail, and now and then a
// preemption that costs tens to hundreds of microseconds.
func (s *storm) advance(typical float64) {
	g := typical + s.rng.NormFloat64()*typical*0.08 + s.rng.ExpFloat64()*500
	if s.rng.Float64() < 0.003 {
		g += 30_000 + s.rng.Float64()*270_000
	}
	s.now += int64(max(g, 800))
}

func (s *storm) lognormal(median, sigma float64) int64 {
	return int64(median * math.Exp(s.rng.NormFloat64()*sigma))
}

func (s *storm) emit(tid uint32, name string, src event.Source, op event.Op, dur int64, args [4]uint64) {
	s.out = append(s.out, event.Event{
		TimeNs: s.now, PID: s.pid, TID: tid, Comm: name,
		Source: src, Op: op, DurNs: dur, Args: args,
		Node: s.node, CgroupID: s.cgroup, GPU: 0,
	})
}
