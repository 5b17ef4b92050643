package causal

import "time"

// Thresholds of the rules. docs/rules.md quotes them; change both together.
const (
	// minCalls is how many calls of an op a latency verdict needs.
	minCalls = 20
	// minUnder is how many calls must have run under a condition (and,
	// to compare, without it) before the two groups are compared.
	minUnder = 5
	// tailRatio: p99 at least this many times p50 is a latency tail.
	tailRatio = 3.0
	// A condition explains a tail when at least tailExplained of the tail
	// calls ran under it, and that share is tailLift times the share of
	// all calls that ran under it (a cause present all along explains
	// nothing).
	tailExplained = 0.5
	tailLift      = 1.5
	// A condition slows calls when the median call under it is slowdownMin
	// times the median call without it, over at least slowdownCalls calls,
	// and a call under it is slower than one without with probability at
	// least slowdownAUC, slowdownZ standard errors above chance.
	slowdownMin   = 1.2
	slowdownCalls = 10
	slowdownAUC   = 0.7
	slowdownZ     = 4.0
	// A preemption or an IO marks a call only when it covers at least
	// coverMin of the call: a long call is more likely to meet a random
	// short interval, and would look slower for that alone.
	coverMin = 0.1
	// Impact is the time a cause added to calls, as a share of the
	// process's wall time: below minImpact nothing is reported.
	minImpact    = 0.005
	mediumImpact = 0.01
	highImpact   = 0.05

	// liveGrace keeps finished calls and intervals open a little longer
	// in live use, so that batches arriving slightly out of order still
	// pair up.
	liveGrace = int64(50 * time.Millisecond)
	// maxPending and maxIntervals bound the in-flight state per process.
	maxPending   = 4096
	maxIntervals = 256
	// maxCulprits and maxIssuers bound the preemptors per process and the
	// IO issuers kept by name; the rest are summed as "(other tasks)".
	maxCulprits = 1024
	maxIssuers  = 1024

	// cotenantWindow: another process that made a GPU call this recently
	// before a call started counts as active on the GPU during it.
	cotenantWindow = int64(100 * time.Millisecond)
	// minGPUCalls: a process with fewer GPU calls is not a co-tenant.
	minGPUCalls = 10
	// With no uncontended calls to compare with, p90 ≥ cotenantSpread×p10
	// also counts as a tail (some calls delayed, the median among the
	// fast ones), and a spread of cotenantHighSpread is needed for HIGH.
	cotenantSpread     = 2.5
	cotenantHighSpread = 5.0

	// Memory pressure, per host snapshot.
	pressureMemPct    = 95.0
	pressureSwapGrowB = 32 << 20               // swap grew this much since the previous snapshot
	pressureMinNs     = int64(3 * time.Second) // how long pressure must last

	// Throughput drop: the reference rate is the 90th percentile of an
	// op's per-second rate; a drop is a run of at least dropMinSeconds
	// below dropFraction of it.
	dropRefQuantile = 0.9
	dropMinRate     = 10.0 // calls/s at the reference
	dropFraction    = 0.5
	dropMinSeconds  = 5
	dropHighDepth   = 0.75
	dropHighSeconds = 10
	dropMinBuckets  = 10

	// GPU starvation: gaps after the GPU drained, longer than both
	// gapMinNs and gapFactor times the median gap between calls.
	gapMinNs       = int64(time.Millisecond)
	gapFactor      = 10
	gapMinCount    = 5
	gapMinLaunches = 100
	gapLowShare    = 0.10
	gapMediumShare = 0.15
	gapHighShare   = 0.30

	// Memcpy-bound: share of wall time in copies.
	memcpyMinCalls    = 10
	memcpyLowShare    = 0.15
	memcpyMediumShare = 0.25
	memcpyHighShare   = 0.50

	// CPU preemption between calls (a launch-bound loop): seconds with at
	// least betweenHitShare of their time preempted are compared with
	// seconds with at most betweenCleanShare.
	betweenMinBuckets      = 4
	betweenMinOffShare     = 0.02
	betweenHitShare        = 0.10
	betweenCleanShare      = 0.01
	betweenMinHit          = 2
	betweenMinClean        = 2
	betweenMinDrop         = 0.15
	betweenHighDrop        = 0.25
	betweenNoBaselineShare = 0.10

	// Allocation churn.
	churnMinAllocs   = 20
	churnMinRate     = 5.0 // allocations per second of activity
	churnMinSpread   = 0.3 // share of seconds with allocations
	churnMinShare    = 0.02
	churnSlowP99     = int64(time.Millisecond)
	churnMediumShare = 0.05
	churnHighShare   = 0.20
	// A run shorter than this shows allocations, not that they go on all
	// run long: its churn is at most MEDIUM.
	churnHighMinSpan = 2 * time.Second
	churnMediumP99   = int64(5 * time.Millisecond)

	// Memory leak.
	leakMinPoints    = 10
	leakMinGrowth    = 64 << 20
	leakMinR2        = 0.8
	leakLateGrowth   = 0.25 // share of the growth in the second half
	leakNearPeak     = 0.9
	leakHighGrowth   = 1 << 30
	leakStrongGrowth = 256 << 20
	leakStrongR2     = 0.95
	maxLiveAllocs    = 1 << 20

	// CUDA out-of-memory return codes: cudaErrorMemoryAllocation and
	// CUDA_ERROR_OUT_OF_MEMORY are both 2.
	errOutOfMemory = 2
	maxOOMKills    = 64
	pageSize       = 4096
)

// CUDA graph rules (rule_graph.go).
const (
	// A capture still open this long at the end of the window hung.
	graphCaptureHangNs = 5 * int64(1e9)
	// An executable never launched while this much time passed, or while
	// the process launched other graphs this many times, is wasted.
	graphIdleNs       = 30 * int64(1e9)
	graphIdleLaunches = 100
	// Launch-rate collapse: at least this many re-captures, a first rate of
	// at least graphPeakRate launches/s, falling below graphCollapse of it.
	graphRecaptures = 3
	graphPeakRate   = 5.0
	graphCollapse   = 0.5
	// The replay phase before re-capture must be a phase, not the first
	// few launches of a loop that captures every step: at least this many
	// launches over at least this long.
	graphBeforeLaunches = 20
	graphBeforeNs       = 50 * int64(1e6)
	// Launches under CPU contention: at least this many preempted, their
	// median at least graphPreemptSlowdown times the launches' median.
	graphPreemptedMin    = 5
	graphPreemptSlowdown = 2.0
)

// NCCL barrier wait (rule_nccl.go): a communicator with at least
// ncclRoundsMin complete rounds whose last-arriving rank is the same one
// in at least ncclLastShare of them, holding the others at least
// ncclWaitMinNs a round at the median.
const (
	ncclRoundsMin = 10
	ncclLastShare = 0.6
	ncclWaitMinNs = int64(1e6)
	// Rounds waiting for ranks that never come are dropped past this many.
	ncclOpenRounds = 4096
)
