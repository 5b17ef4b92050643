package scenario

// Real is how a scenario is played under real tracing: a training loop
// running Pattern (a pattern both the stand-in workload and the PyTorch
// script know), with the plants started at fractions of the span.
type Real struct {
	Pattern string
	Plants  []Plant
	// Synthetic, when set, says why the scenario is generated even when
	// real tracing is possible.
	Synthetic string
	// WorkingSet, when set, is host memory the loop allocates once its
	// trace is attached and touches every step; the loop runs in a memory
	// cgroup of its own whose memory.max lets a third of it stay resident,
	// with swap to page the rest to (see ingero-demo's memory.go).
	WorkingSet int64
}

// PlantKind is what a plant is.
type PlantKind int

const (
	// Hog burns CPU on the training loop's CPU under Comm.
	Hog PlantKind = iota
	// Cotenant is a second process using the GPU under Comm.
	Cotenant
)

// Plant is one process planted next to the training loop.
type Plant struct {
	Kind PlantKind
	Comm string
	At   float64 // when it starts, as a fraction of the span
	// Heavy makes a co-tenant launch long kernels, which take the GPU
	// away from the training loop rather than share it.
	Heavy bool
}

// Patterns of the training loop.
const (
	PatternTrain  = "train"        // copy in, 48 launches (every 6th through the driver), sync
	PatternChurn  = "train-churn"  // and 6 allocations freed again each step
	PatternCopy   = "train-copy"   // and a 256 MiB pageable host-to-device copy each step
	PatternCkpt   = "train-ckpt"   // and every second a 128 MiB checkpoint written and fsynced by the loop itself
	PatternPaging = "train-paging" // and a read of every page of a host working set (Real.WorkingSet)
)
