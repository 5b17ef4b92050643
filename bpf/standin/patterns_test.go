package standin

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

type counts map[string]uint64

func (c counts) times(n uint64) counts {
	out := counts{}
	for k, v := range c {
		out[k] = v * n
	}
	return out
}

func merge(cs ...counts) counts {
	out := counts{}
	for _, c := range cs {
		for k, v := range c {
			out[k] += v
		}
	}
	return out
}

// What one iteration of each pattern calls, read off workload_patterns.c.
var (
	basicCalls = counts{
		"cudaStreamCreate": 1, "cudaMalloc": 4, "cudaMallocHost": 1, "cudaMemcpy": 3, "cudaMemcpyAsync": 2,
		"cudaLaunchKernel": 10, "cudaStreamSynchronize": 1, "cudaDeviceSynchronize": 1, "cudaFreeHost": 1,
		"cudaFree": 4, "cudaStreamDestroy": 1,
		"cuLaunchKernel": 4, "cuLaunchKernelEx": 1, "cuStreamSynchronize": 1, "cuMemAlloc_v2": 1,
		"cuMemcpyHtoD_v2": 1, "cuMemcpyDtoH_v2": 1, "cuMemFree_v2": 1,
	}
	basicBytes = counts{
		"cudaMalloc": 4*kib + mib + 16*mib + 64*mib, "cudaMallocHost": 4 * mib, "cudaMemcpy": 3 * mib,
		"cudaMemcpyAsync": 8 * mib, "cuMemAlloc_v2": 2 * mib, "cuMemcpyHtoD_v2": 2 * mib, "cuMemcpyDtoH_v2": 2 * mib,
	}
	basicKinds = counts{
		"cudaMemcpy:HostToDevice": mib, "cudaMemcpy:DeviceToDevice": mib, "cudaMemcpy:DeviceToHost": mib,
		"cudaMemcpyAsync:HostToDevice": 4 * mib, "cudaMemcpyAsync:DeviceToHost": 4 * mib,
	}
	graphCalls = counts{
		"cudaStreamCreate": 1, "cudaStreamBeginCapture": 1, "cudaLaunchKernel": 10, "cudaStreamEndCapture": 1,
		"cudaGraphInstantiate": 1, "cudaGraphLaunch": 5, "cudaStreamSynchronize": 1, "cudaGraphExecDestroy": 1,
		"cudaGraphDestroy": 1, "cudaStreamDestroy": 1,
	}
	sixtyFourK = counts{
		"cuMemcpy": 64 * kib, "cuMemcpyAsync": 64 * kib, "cuMemcpyHtoD_v2": 64 * kib, "cuMemcpyDtoH_v2": 64 * kib,
		"cuMemcpyDtoD_v2": 64 * kib, "cuMemcpyHtoDAsync_v2": 64 * kib, "cuMemcpyDtoHAsync_v2": 64 * kib,
		"cuMemcpyDtoDAsync_v2": 64 * kib, "cudaMemcpy": 64 * kib, "cudaMemcpyAsync": 64 * kib,
		"cudaMemcpyPeer": 64 * kib, "cudaMemcpyPeerAsync": 64 * kib,
	}

	// What a training step calls, and what the first one sets up for all.
	trainCalls = counts{"cudaMemcpyAsync": 1, "cudaLaunchKernel": 40, "cuLaunchKernel": 8, "cudaStreamSynchronize": 1}
	trainBytes = counts{"cudaMemcpyAsync": 4 * mib}
	trainKinds = counts{"cudaMemcpyAsync:HostToDevice": 4 * mib}
	trainOnce  = patternOnce{
		calls: counts{"cudaStreamCreate": 1, "cudaMallocHost": 1, "cudaMalloc": 1},
		bytes: counts{"cudaMallocHost": 4 * mib, "cudaMalloc": 4 * mib},
	}
)

// patternOnce is what a pattern calls once per process, however many
// iterations it runs.
type patternOnce struct{ calls, bytes counts }

type patternCase struct {
	pattern              string
	env                  []string
	calls, errors, bytes counts
	kinds                counts
	once                 patternOnce
}

var patternCases = []patternCase{
	{pattern: "basic", calls: basicCalls, bytes: basicBytes, kinds: basicKinds},
	{pattern: "threads", calls: basicCalls.times(2), bytes: basicBytes.times(2), kinds: basicKinds.times(2)},
	{
		pattern: "launch-storm",
		calls:   counts{"cudaStreamCreate": 1, "cudaLaunchKernel": 1000, "cudaStreamSynchronize": 1, "cudaStreamDestroy": 1},
	},
	{
		pattern: "leak",
		calls:   counts{"cudaMalloc": 8, "cuMemAlloc_v2": 2, "cudaMallocManaged": 1},
		bytes:   counts{"cudaMalloc": 8 * mib, "cuMemAlloc_v2": 2 * mib, "cudaMallocManaged": mib},
	},
	{
		// 4 GiB of device memory: four 1 GiB blocks fit, the fifth fails.
		pattern: "oom",
		env:     []string{"STANDIN_OOM_AFTER_BYTES=4294967296"},
		calls:   counts{"cudaMalloc": 5, "cudaGetLastError": 1, "cuMemAlloc_v2": 1, "cudaFree": 4},
		errors:  counts{"cudaMalloc": 1, "cudaGetLastError": 1, "cuMemAlloc_v2": 1},
		bytes:   counts{"cudaMalloc": 4 * gib},
	},
	{
		pattern: "memcpy-heavy",
		calls: counts{
			"cudaStreamCreate": 1, "cudaMalloc": 2, "cudaMallocHost": 1, "cudaMemcpy": 42, "cudaMemcpyAsync": 18,
			"cudaStreamSynchronize": 2, "cudaMemcpy2D": 2, "cudaMemcpy2DAsync": 2, "cudaMemcpyPeer": 2,
			"cudaMemcpyPeerAsync": 2, "cudaFreeHost": 1, "cudaFree": 2, "cudaStreamDestroy": 1,
			"cuMemAlloc_v2": 1, "cuMemcpyHtoD_v2": 4, "cuMemcpyDtoH_v2": 4, "cuMemcpyDtoD_v2": 2, "cuMemcpy": 2,
			"cuMemcpyAsync": 2, "cuMemcpyHtoDAsync_v2": 2, "cuMemcpyDtoHAsync_v2": 2, "cuMemcpyDtoDAsync_v2": 2,
			"cuStreamSynchronize": 1, "cuMemFree_v2": 1,
		},
		bytes: counts{
			"cudaMalloc": 128 * mib, "cudaMallocHost": 64 * mib, "cudaMemcpy": 16*4*mib*2 + 8*16*mib + 2*mib,
			"cudaMemcpyAsync": 18 * 4 * mib, "cudaMemcpy2D": 1 * mib, "cudaMemcpy2DAsync": 1 * mib,
			"cudaMemcpyPeer": 2 * mib, "cudaMemcpyPeerAsync": 2 * mib, "cuMemAlloc_v2": 8 * mib,
			"cuMemcpyHtoD_v2": 4 * mib, "cuMemcpyDtoH_v2": 4 * mib, "cuMemcpyDtoD_v2": 2 * mib, "cuMemcpy": 2 * mib,
			"cuMemcpyAsync": 2 * mib, "cuMemcpyHtoDAsync_v2": 2 * mib, "cuMemcpyDtoHAsync_v2": 2 * mib,
			"cuMemcpyDtoDAsync_v2": 2 * mib,
		},
		kinds: counts{
			"cudaMemcpy:HostToDevice": 64 * mib, "cudaMemcpy:DeviceToHost": 64 * mib,
			"cudaMemcpy:DeviceToDevice": 128 * mib, "cudaMemcpy:HostToHost": mib, "cudaMemcpy:Default": mib,
			"cudaMemcpyAsync:HostToDevice": 32 * mib, "cudaMemcpyAsync:DeviceToHost": 32 * mib,
			"cudaMemcpyAsync:DeviceToDevice": 4 * mib, "cudaMemcpyAsync:Default": 4 * mib,
			"cudaMemcpy2D:HostToDevice": mib, "cudaMemcpy2DAsync:DeviceToHost": mib,
		},
	},
	{
		pattern: "sync-heavy",
		calls: counts{
			"cudaStreamCreate": 1, "cudaEventCreate": 1, "cudaLaunchKernel": 80, "cudaStreamSynchronize": 50,
			"cudaDeviceSynchronize": 10, "cudaEventRecord": 10, "cudaEventSynchronize": 10, "cudaEventDestroy": 1,
			"cudaStreamDestroy": 1, "cuLaunchKernel": 5, "cuStreamSynchronize": 5, "cuLaunchKernel_ptsz": 5,
			"cuCtxSynchronize": 5,
		},
	},
	{pattern: "graph", calls: graphCalls},
	{
		pattern: "coverage",
		calls: merge(graphCalls, counts{
			"cudaMalloc": 1, "cudaMallocManaged": 1, "cudaMallocHost": 1, "cudaFree": 2, "cudaFreeHost": 1,
			"cudaLaunchKernel": 1, "cudaLaunchKernel_ptsz": 1, "cudaMemcpy": 1, "cudaMemcpyAsync": 1,
			"cudaMemcpy2D": 1, "cudaMemcpy2DAsync": 1, "cudaMemcpyPeer": 1, "cudaMemcpyPeerAsync": 1,
			"cudaStreamSynchronize": 1, "cudaDeviceSynchronize": 1, "cudaEventSynchronize": 1,
			"cudaGetLastError": 1, "cudaStreamCreate": 1, "cudaStreamDestroy": 1, "cudaEventCreate": 1,
			"cudaEventRecord": 1, "cudaEventDestroy": 1,
			"cuLaunchKernel": 1, "cuLaunchKernel_ptsz": 1, "cuLaunchKernelEx": 1, "cuMemAlloc_v2": 1,
			"cuMemAllocManaged": 1, "cuMemFree_v2": 2, "cuMemcpy": 1, "cuMemcpyAsync": 1, "cuMemcpyHtoD_v2": 1,
			"cuMemcpyDtoH_v2": 1, "cuMemcpyDtoD_v2": 1, "cuMemcpyHtoDAsync_v2": 1, "cuMemcpyDtoHAsync_v2": 1,
			"cuMemcpyDtoDAsync_v2": 1, "cuStreamSynchronize": 1, "cuCtxSynchronize": 1,
		}),
		bytes: merge(sixtyFourK, counts{
			"cudaMalloc": mib, "cudaMallocManaged": mib, "cudaMallocHost": mib, "cuMemAlloc_v2": mib,
			"cuMemAllocManaged": mib, "cudaMemcpy2D": 32 * kib, "cudaMemcpy2DAsync": 32 * kib,
		}),
		kinds: counts{
			"cudaMemcpy:HostToDevice": 64 * kib, "cudaMemcpyAsync:DeviceToHost": 64 * kib,
			"cudaMemcpy2D:HostToDevice": 32 * kib, "cudaMemcpy2DAsync:DeviceToHost": 32 * kib,
		},
	},
	{pattern: "train", calls: trainCalls, bytes: trainBytes, kinds: trainKinds, once: trainOnce},
	{
		pattern: "train-churn",
		calls:   merge(trainCalls, counts{"cudaMalloc": 6, "cudaFree": 6}),
		bytes:   merge(trainBytes, counts{"cudaMalloc": (64 + 128 + 256) * 2 * mib}),
		kinds:   trainKinds,
		once:    trainOnce,
	},
	{pattern: "train-input", env: []string{"STANDIN_INPUT_NS=1000000"}, calls: trainCalls, bytes: trainBytes, kinds: trainKinds, once: trainOnce},
	{pattern: "train-paging", env: []string{"STANDIN_WORKING_SET_BYTES=1048576"}, calls: trainCalls, bytes: trainBytes, kinds: trainKinds, once: trainOnce},
	{pattern: "train-ckpt", env: []string{"STANDIN_CKPT_PERIOD_NS=1", "STANDIN_CKPT_BYTES=1048576"}, calls: trainCalls, bytes: trainBytes, kinds: trainKinds, once: trainOnce},
	{
		pattern: "train-copy",
		calls:   merge(trainCalls, counts{"cudaMemcpy": 1}),
		bytes:   merge(trainBytes, counts{"cudaMemcpy": 256 * mib}),
		kinds:   merge(trainKinds, counts{"cudaMemcpy:HostToDevice": 256 * mib}),
		once: patternOnce{
			calls: merge(trainOnce.calls, counts{"cudaMalloc": 1}),
			bytes: merge(trainOnce.bytes, counts{"cudaMalloc": 256 * mib}),
		},
	},
}

func runWorkload(t *testing.T, art *Artifacts, env []string, args ...string) *Counts {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	r, err := art.Start(ctx, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Release(); err != nil {
		t.Fatal(err)
	}
	c, err := r.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if c.PID != r.PID() {
		t.Errorf("counts name pid %d, the workload was %d", c.PID, r.PID())
	}
	return c
}

func TestPatternsCountExactly(t *testing.T) {
	art := artifacts(t)
	const iterations = 2
	for _, tc := range patternCases {
		t.Run(tc.pattern, func(t *testing.T) {
			for _, runtimeOnly := range []string{"0", "1"} {
				env := append([]string{"STANDIN_RUNTIME_ONLY=" + runtimeOnly, CPUTimeEnv + "=1"}, tc.env...)
				ckpt := t.TempDir()
				if tc.pattern == "train-ckpt" {
					env = append(env, "STANDIN_CKPT_DIR="+ckpt)
				}
				c := runWorkload(t, art, env, "--pattern", tc.pattern, "--iterations", "2")
				if fi, err := os.Stat(filepath.Join(ckpt, "checkpoint")); tc.pattern == "train-ckpt" && (err != nil || fi.Size() != 1<<20) {
					t.Errorf("checkpoint: %v, %v", fi, err)
				}
				threads := uint64(1)
				if tc.pattern == "threads" {
					threads = 2
				}
				check := func(what string, got map[string]uint64, each, once counts) {
					want := merge(each.times(iterations), once)
					if !maps.Equal(got, want) {
						t.Errorf("runtime only %s: %s\n got %v\nwant %v", runtimeOnly, what, got, want)
					}
				}
				check("calls", c.Calls, tc.calls, tc.once.calls)
				check("errors", c.Errors, tc.errors, nil)
				check("bytes", c.Bytes, tc.bytes, tc.once.bytes)
				check("bytes by kind", c.BytesByKind, tc.kinds, nil)
				if !maps.Equal(c.SetupCalls, map[string]uint64{"cuInit": 1, "cudaGetLastError": 1}) {
					t.Errorf("setup calls %v", c.SetupCalls)
				}
				if c.Pattern != tc.pattern || c.Iterations != iterations*threads || c.RuntimeOnly != (runtimeOnly == "1") {
					t.Errorf("pattern %q, iterations %d, runtime only %v", c.Pattern, c.Iterations, c.RuntimeOnly)
				}
				if len(c.TIDs) != int(threads) {
					t.Errorf("tids %v, want %d", c.TIDs, threads)
				}
				for fn, n := range c.Calls {
					if n > 0 && (c.BusyNs[fn] == 0 || c.CPUNs[fn] == 0) {
						t.Errorf("%s: %d calls but busy %dns, on a CPU %dns", fn, n, c.BusyNs[fn], c.CPUNs[fn])
					}
				}
			}
		})
	}
}

func TestThreadsUseTwoThreads(t *testing.T) {
	c := runWorkload(t, artifacts(t), nil, "--pattern", "threads")
	if len(c.TIDs) != 2 || c.TIDs[0] == c.TIDs[1] || c.TIDs[0] == c.PID || c.TIDs[1] == c.PID {
		t.Errorf("tids %v of pid %d: want two worker threads", c.TIDs, c.PID)
	}
	single := runWorkload(t, artifacts(t), nil, "--pattern", "basic")
	if !reflect.DeepEqual(single.TIDs, []int{single.PID}) {
		t.Errorf("single-threaded tids %v, want the main thread %d", single.TIDs, single.PID)
	}
	if len(single.CPUNs) != 0 {
		t.Errorf("cpu_ns %v without %s=1: the workload read its CPU clock", single.CPUNs, CPUTimeEnv)
	}
}
