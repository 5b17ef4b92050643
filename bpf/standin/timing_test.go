package standin

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// slowConfig differs from the defaults in every field, and its times are
// long enough to stand out from scheduling noise.
var slowConfig = Config{
	Launch:            40 * time.Microsecond,
	Alloc:             150 * time.Microsecond,
	AllocPerMiB:       10 * time.Microsecond,
	Free:              60 * time.Microsecond,
	Memcpy:            30 * time.Microsecond,
	MemcpyBytesPerSec: 1e9,
	AsyncEnqueue:      25 * time.Microsecond,
	Sync:              15 * time.Microsecond,
	Kernel:            20 * time.Microsecond,
	KernelPerBlock:    time.Microsecond,
	Runtime:           10 * time.Microsecond,
	HostAlloc:         200 * time.Microsecond,
	HostFree:          70 * time.Microsecond,
	Capture:           35 * time.Microsecond,
	GraphInstantiate:  120 * time.Microsecond,
	GraphPerNode:      9 * time.Microsecond,
	DeviceMemory:      8 << 30,
}

// spent is the workload's account of time in a function: wall time, and
// the part of it the thread was on a CPU.
type spent struct{ wall, cpu time.Duration }

// runs holds two runs of one pattern: wall times from a run that reads no
// CPU clock, CPU times from one that does. Reading it is a system call at
// which a thread whose slice ran out is preempted: right after a launch,
// that lets the simulated kernel run meanwhile and shortens the sync that
// follows, which the wall-time lower bounds must not see.
type runs struct{ wall, cpu *Counts }

func runTwice(tb *testing.T, art *Artifacts, env []string, pattern string) runs {
	return runs{
		wall: runWorkload(tb, art, env, "--pattern", pattern),
		cpu:  runWorkload(tb, art, append(env[:len(env):len(env)], CPUTimeEnv+"=1"), "--pattern", pattern),
	}
}

func mean(r runs, fn string) spent { return spent{r.wall.MeanBusy(fn), r.cpu.MeanCPU(fn)} }

func total(r runs, fn string) spent {
	return spent{r.wall.Busy(fn), time.Duration(r.cpu.CPUNs[fn])}
}

// expect checks a measured duration against a lower bound the busy-wait
// guarantees (a spin never ends early, whatever else runs) and an upper
// bound on its CPU time: a spin that runs too long burns the CPU for it,
// while a preemption, which a loaded machine deals out in whole scheduler
// slices, lengthens the wall time only.
func expect(t errorfer, what string, got spent, lo time.Duration) {
	if hi := 3*lo + time.Millisecond; got.wall < lo || got.cpu > hi {
		t.Errorf("%s took %v (%v on a CPU), want at least %v, at most %v on a CPU", what, got.wall, got.cpu, lo, hi)
	}
}

type errorfer interface {
	Errorf(format string, args ...any)
}

// attempt collects the failures of one try, so a try spoiled by a loaded
// machine can be retried; a real timing bug fails every try. Only the
// syncs' lower bounds can be spoiled: a preemption between a launch and
// its sync lets the simulated kernel run meanwhile (see checkTimes).
type attempt struct{ failures []string }

func (a *attempt) Errorf(format string, args ...any) {
	a.failures = append(a.failures, fmt.Sprintf(format, args...))
}

func retryTimes(t *testing.T, art *Artifacts, c Config, env []string) {
	t.Helper()
	const tries = 3
	var last *attempt
	for i := 0; i < tries; i++ {
		last = &attempt{}
		checkTimes(t, last, art, c, env)
		if len(last.failures) == 0 {
			return
		}
	}
	for _, f := range last.failures {
		t.Errorf("%s (failed %d tries in a row)", f, tries)
	}
}

func TestBusyWaitTimes(t *testing.T) {
	art := artifacts(t)
	t.Run("defaults", func(t *testing.T) {
		// Empty values make the libraries fall back on what Build compiled
		// in, which must be DefaultConfig.
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "STANDIN_") {
				t.Setenv(k, "")
			}
		}
		retryTimes(t, art, DefaultConfig(), nil)
	})
	t.Run("configured", func(t *testing.T) {
		retryTimes(t, art, slowConfig, slowConfig.Env())
	})
}

func checkTimes(tb *testing.T, t errorfer, art *Artifacts, c Config, env []string) {
	b := runTwice(tb, art, env, "basic")
	expect(t, "cuLaunchKernel", mean(b, "cuLaunchKernel"), c.Launch)
	expect(t, "cuLaunchKernelEx", mean(b, "cuLaunchKernelEx"), c.Launch)
	expect(t, "cudaLaunchKernel", mean(b, "cudaLaunchKernel"), c.Launch+c.Runtime)
	expect(t, "cuMemAlloc_v2 of 2 MiB", mean(b, "cuMemAlloc_v2"), c.AllocTime(2*mib))
	expect(t, "4 cudaMalloc", total(b, "cudaMalloc"),
		c.AllocTime(4*kib)+c.AllocTime(mib)+c.AllocTime(16*mib)+c.AllocTime(64*mib)+4*c.Runtime)
	expect(t, "cuMemFree_v2", mean(b, "cuMemFree_v2"), c.Free)
	expect(t, "cudaFree", mean(b, "cudaFree"), c.Free+c.Runtime)
	expect(t, "cudaMallocHost of 4 MiB", mean(b, "cudaMallocHost"), c.HostAlloc+4*c.AllocPerMiB)
	expect(t, "cudaFreeHost", mean(b, "cudaFreeHost"), c.HostFree)
	// The device is idle before these copies: they cost the copy alone.
	expect(t, "cudaMemcpy of 1 MiB", mean(b, "cudaMemcpy"), c.CopyTime(mib)+c.Runtime)
	expect(t, "cuMemcpyHtoD_v2 of 2 MiB", mean(b, "cuMemcpyHtoD_v2"), c.CopyTime(2*mib))
	expect(t, "cuMemcpyDtoH_v2 of 2 MiB", mean(b, "cuMemcpyDtoH_v2"), c.CopyTime(2*mib))
	expect(t, "cudaMemcpyAsync", mean(b, "cudaMemcpyAsync"), c.AsyncEnqueue+c.Runtime)

	// Each sync waits for the kernel launched just before it, less the host
	// time between the enqueue and the sync. A preemption in that gap lets
	// the kernel run meanwhile and shortens the sync: the bounds give a
	// fifth of the wait to it.
	s := runTwice(tb, art, env, "sync-heavy")
	k256, k512 := c.KernelTime(256), c.KernelTime(512)
	fifthOff := func(d time.Duration) time.Duration { return d * 4 / 5 }
	expect(t, "cudaStreamSynchronize after a launch", mean(s, "cudaStreamSynchronize"), fifthOff(k256+c.Sync))
	expect(t, "cuStreamSynchronize after a launch", mean(s, "cuStreamSynchronize"), fifthOff(k256+c.Sync))
	expect(t, "cuCtxSynchronize after a launch", mean(s, "cuCtxSynchronize"), fifthOff(k256+c.Sync))
	expect(t, "cudaDeviceSynchronize after two launches", mean(s, "cudaDeviceSynchronize"),
		fifthOff(2*k256-c.Launch-c.Runtime+c.Sync))
	expect(t, "cudaEventSynchronize after a launch", mean(s, "cudaEventSynchronize"),
		fifthOff(k512-c.Runtime+c.Sync))
	expect(t, "cudaEventRecord", mean(s, "cudaEventRecord"), c.Runtime)

	g := runTwice(tb, art, env, "graph")
	expect(t, "cudaStreamBeginCapture", mean(g, "cudaStreamBeginCapture"), c.Capture)
	expect(t, "cudaStreamEndCapture", mean(g, "cudaStreamEndCapture"), c.Capture)
	expect(t, "a captured cudaLaunchKernel", mean(g, "cudaLaunchKernel"), c.Launch+c.Runtime)
	expect(t, "cudaGraphInstantiate of 10 nodes", mean(g, "cudaGraphInstantiate"), c.GraphInstantiate+10*c.GraphPerNode)
	expect(t, "cudaGraphLaunch", mean(g, "cudaGraphLaunch"), c.Launch+c.Runtime)
	// Five launches of a ten-kernel graph queue fifty kernels.
	expect(t, "cudaStreamSynchronize after 5 graph launches", total(g, "cudaStreamSynchronize"),
		50*k256-g.wall.Busy("cudaGraphLaunch")-time.Millisecond)
}
