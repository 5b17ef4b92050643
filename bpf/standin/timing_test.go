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

// expect checks a measured duration against a lower bound the busy-wait
// guarantees (a spin never ends early) and a loose upper bound (a spinning
// thread may be preempted, never by seconds).
func expect(t errorfer, what string, got, lo time.Duration) {
	if hi := 3*lo + time.Millisecond; got < lo || got > hi {
		t.Errorf("%s took %v, want between %v and %v", what, got, lo, hi)
	}
}

type errorfer interface {
	Errorf(format string, args ...any)
}

// attempt collects the failures of one try, so a try spoiled by a loaded
// machine (a spinning thread preempted for whole scheduler slices) can be
// retried; a real timing bug fails every try.
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
	b := runWorkload(tb, art, env, "--pattern", "basic")
	expect(t, "cuLaunchKernel", b.MeanBusy("cuLaunchKernel"), c.Launch)
	expect(t, "cuLaunchKernelEx", b.MeanBusy("cuLaunchKernelEx"), c.Launch)
	expect(t, "cudaLaunchKernel", b.MeanBusy("cudaLaunchKernel"), c.Launch+c.Runtime)
	expect(t, "cuMemAlloc_v2 of 2 MiB", b.MeanBusy("cuMemAlloc_v2"), c.AllocTime(2*mib))
	expect(t, "4 cudaMalloc", b.Busy("cudaMalloc"),
		c.AllocTime(4*kib)+c.AllocTime(mib)+c.AllocTime(16*mib)+c.AllocTime(64*mib)+4*c.Runtime)
	expect(t, "cuMemFree_v2", b.MeanBusy("cuMemFree_v2"), c.Free)
	expect(t, "cudaFree", b.MeanBusy("cudaFree"), c.Free+c.Runtime)
	expect(t, "cudaMallocHost of 4 MiB", b.MeanBusy("cudaMallocHost"), c.HostAlloc+4*c.AllocPerMiB)
	expect(t, "cudaFreeHost", b.MeanBusy("cudaFreeHost"), c.HostFree)
	// The device is idle before these copies: they cost the copy alone.
	expect(t, "cudaMemcpy of 1 MiB", b.MeanBusy("cudaMemcpy"), c.CopyTime(mib)+c.Runtime)
	expect(t, "cuMemcpyHtoD_v2 of 2 MiB", b.MeanBusy("cuMemcpyHtoD_v2"), c.CopyTime(2*mib))
	expect(t, "cuMemcpyDtoH_v2 of 2 MiB", b.MeanBusy("cuMemcpyDtoH_v2"), c.CopyTime(2*mib))
	expect(t, "cudaMemcpyAsync", b.MeanBusy("cudaMemcpyAsync"), c.AsyncEnqueue+c.Runtime)

	// Each sync waits for the kernel launched just before it, less the host
	// time between the enqueue and the sync. A preemption in that gap lets
	// the kernel run meanwhile and shortens the sync: the bounds give a
	// fifth of the wait to it.
	s := runWorkload(tb, art, env, "--pattern", "sync-heavy")
	k256, k512 := c.KernelTime(256), c.KernelTime(512)
	fifthOff := func(d time.Duration) time.Duration { return d * 4 / 5 }
	expect(t, "cudaStreamSynchronize after a launch", s.MeanBusy("cudaStreamSynchronize"), fifthOff(k256+c.Sync))
	expect(t, "cuStreamSynchronize after a launch", s.MeanBusy("cuStreamSynchronize"), fifthOff(k256+c.Sync))
	expect(t, "cuCtxSynchronize after a launch", s.MeanBusy("cuCtxSynchronize"), fifthOff(k256+c.Sync))
	expect(t, "cudaDeviceSynchronize after two launches", s.MeanBusy("cudaDeviceSynchronize"),
		fifthOff(2*k256-c.Launch-c.Runtime+c.Sync))
	expect(t, "cudaEventSynchronize after a launch", s.MeanBusy("cudaEventSynchronize"),
		fifthOff(k512-c.Runtime+c.Sync))
	expect(t, "cudaEventRecord", s.MeanBusy("cudaEventRecord"), c.Runtime)

	g := runWorkload(tb, art, env, "--pattern", "graph")
	expect(t, "cudaStreamBeginCapture", g.MeanBusy("cudaStreamBeginCapture"), c.Capture)
	expect(t, "cudaStreamEndCapture", g.MeanBusy("cudaStreamEndCapture"), c.Capture)
	expect(t, "a captured cudaLaunchKernel", g.MeanBusy("cudaLaunchKernel"), c.Launch+c.Runtime)
	expect(t, "cudaGraphInstantiate of 10 nodes", g.MeanBusy("cudaGraphInstantiate"), c.GraphInstantiate+10*c.GraphPerNode)
	expect(t, "cudaGraphLaunch", g.MeanBusy("cudaGraphLaunch"), c.Launch+c.Runtime)
	// Five launches of a ten-kernel graph queue fifty kernels.
	expect(t, "cudaStreamSynchronize after 5 graph launches", g.Busy("cudaStreamSynchronize"),
		50*k256-g.Busy("cudaGraphLaunch")-time.Millisecond)
}
