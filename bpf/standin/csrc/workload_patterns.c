/* The patterns. Each function is one iteration; the counts it produces are
 * fixed (except oom, whose count depends on STANDIN_OOM_AFTER_BYTES, and the
 * training steps' setup, made once per process on the first step), and the
 * workload reports them itself anyway. */
#include "tools.h"

#include <pthread.h>
#include <sys/mman.h>

#include "workload.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define DEV(p) ((CUdeviceptr)(uintptr_t)(p))

/* Fake device functions: only their addresses matter. */
static char kernel_runtime, kernel_driver;
static void *kernel_args[2];

static void launch(cudaStream_t stream, unsigned int blocks)
{
	dim3 grid = {blocks, 1, 1}, block = {128, 1, 1};

	MUST(CALL(cudaLaunchKernel, &kernel_runtime, grid, block, kernel_args, 0, stream));
}

static void direct_launch(CUstream stream, unsigned int blocks)
{
	MUST(DCALL(cuLaunchKernel, (CUfunction)&kernel_driver, blocks, 1, 1, 128, 1, 1, 0, stream, kernel_args,
		   NULL));
}

static void *device_alloc(size_t bytes)
{
	void *p;

	MUST(CALL(cudaMalloc, &p, bytes));
	rec_bytes(FN_cudaMalloc, bytes);
	return p;
}

static CUdeviceptr direct_alloc(size_t bytes)
{
	CUdeviceptr p;

	MUST(DCALL(cuMemAlloc_v2, &p, bytes));
	rec_bytes(FN_cuMemAlloc_v2, bytes);
	return p;
}

static void *host_alloc(size_t bytes)
{
	void *p;

	MUST(CALL(cudaMallocHost, &p, bytes));
	rec_bytes(FN_cudaMallocHost, bytes);
	return p;
}

static void copy(void *dst, const void *src, size_t bytes, enum cudaMemcpyKind kind)
{
	MUST(CALL(cudaMemcpy, dst, src, bytes, kind));
	rec_kind_bytes(FN_cudaMemcpy, kind, bytes);
}

static void copy_async(void *dst, const void *src, size_t bytes, enum cudaMemcpyKind kind, cudaStream_t stream)
{
	MUST(CALL(cudaMemcpyAsync, dst, src, bytes, kind, stream));
	rec_kind_bytes(FN_cudaMemcpyAsync, kind, bytes);
}

static cudaStream_t stream_create(void)
{
	cudaStream_t s;

	MUST(CALL(cudaStreamCreate, &s));
	return s;
}

/* 4 cudaMalloc, 1 cudaMallocHost, 3 cudaMemcpy (one per direction),
 * 2 cudaMemcpyAsync, 10 cudaLaunchKernel, 1 cudaStreamSynchronize,
 * 1 cudaDeviceSynchronize, then frees; directly on the driver: 4
 * cuLaunchKernel, 1 cuLaunchKernelEx, 1 cuStreamSynchronize, and one
 * cuMemAlloc_v2 / cuMemcpyHtoD_v2 / cuMemcpyDtoH_v2 / cuMemFree_v2. */
static void basic(void)
{
	static const size_t sizes[] = {4 * KiB, 1 * MiB, 16 * MiB, 64 * MiB};
	cudaStream_t s = stream_create();
	CUlaunchConfig config = {.gridDimX = 64, .gridDimY = 1, .gridDimZ = 1, .blockDimX = 128,
				 .blockDimY = 1, .blockDimZ = 1};
	void *d[4], *h;
	CUdeviceptr dp;

	for (int i = 0; i < 4; i++)
		d[i] = device_alloc(sizes[i]);
	h = host_alloc(4 * MiB);
	copy(d[1], h, 1 * MiB, cudaMemcpyHostToDevice);
	copy(d[2], d[1], 1 * MiB, cudaMemcpyDeviceToDevice);
	copy(h, d[2], 1 * MiB, cudaMemcpyDeviceToHost);
	copy_async(d[3], h, 4 * MiB, cudaMemcpyHostToDevice, s);
	copy_async(h, d[3], 4 * MiB, cudaMemcpyDeviceToHost, s);
	for (int i = 0; i < 8; i++)
		launch(s, 256);
	MUST(CALL(cudaStreamSynchronize, s));

	for (int i = 0; i < 4; i++)
		direct_launch(s, 128);
	config.hStream = s;
	MUST(DCALL(cuLaunchKernelEx, &config, (CUfunction)&kernel_driver, kernel_args, NULL));
	MUST(DCALL(cuStreamSynchronize, s));
	dp = direct_alloc(2 * MiB);
	MUST(DCALL(cuMemcpyHtoD_v2, dp, h, 2 * MiB));
	rec_bytes(FN_cuMemcpyHtoD_v2, 2 * MiB);
	MUST(DCALL(cuMemcpyDtoH_v2, h, dp, 2 * MiB));
	rec_bytes(FN_cuMemcpyDtoH_v2, 2 * MiB);
	MUST(DCALL(cuMemFree_v2, dp));

	launch(NULL, 256);
	launch(NULL, 256);
	MUST(CALL(cudaDeviceSynchronize));
	MUST(CALL(cudaFreeHost, h));
	for (int i = 0; i < 4; i++)
		MUST(CALL(cudaFree, d[i]));
	MUST(CALL(cudaStreamDestroy, s));
}

/* 1000 one-block launches back to back, then one sync: launch-bound. */
static void launch_storm(void)
{
	cudaStream_t s = stream_create();

	for (int i = 0; i < 1000; i++)
		launch(s, 1);
	MUST(CALL(cudaStreamSynchronize, s));
	MUST(CALL(cudaStreamDestroy, s));
}

/* 8 cudaMalloc, 2 cuMemAlloc_v2 and 1 cudaMallocManaged of 1 MiB, never
 * freed. */
static void leak(void)
{
	void *m;

	for (int i = 0; i < 8; i++)
		device_alloc(1 * MiB);
	for (int i = 0; i < 2; i++)
		direct_alloc(1 * MiB);
	MUST(CALL(cudaMallocManaged, &m, 1 * MiB, 1));
	rec_bytes(FN_cudaMallocManaged, 1 * MiB);
}

/* 1 GiB cudaMalloc until one fails with out-of-memory (the 81st with the
 * default 80 GiB), cudaGetLastError, one failing cuMemAlloc_v2, then
 * cudaFree of every block that succeeded. */
static void oom(void)
{
	enum { MAX_BLOCKS = 4096 };
	static void *blocks[MAX_BLOCKS];
	CUdeviceptr dp;
	int n = 0, rc;

	for (;;) {
		if (n == MAX_BLOCKS)
			die("workload: oom: no allocation failed after %s", "4096 GiB");
		rc = CALL(cudaMalloc, &blocks[n], 1 * GiB);
		if (rc)
			break;
		rec_bytes(FN_cudaMalloc, 1 * GiB);
		n++;
	}
	if (rc != cudaErrorMemoryAllocation)
		must(rc, "cudaMalloc failing with cudaErrorMemoryAllocation", __LINE__);
	if (CALL(cudaGetLastError) != cudaErrorMemoryAllocation)
		die("workload: oom: %s", "cudaGetLastError lost the allocation failure");
	if (DCALL(cuMemAlloc_v2, &dp, 1 * GiB) != CUDA_ERROR_OUT_OF_MEMORY)
		die("workload: oom: %s", "cuMemAlloc_v2 did not fail with CUDA_ERROR_OUT_OF_MEMORY");
	for (int i = 0; i < n; i++)
		MUST(CALL(cudaFree, blocks[i]));
}

static void memcpy_direct(CUstream s, void *h, void *d)
{
	CUdeviceptr dp = direct_alloc(8 * MiB);

	for (int i = 0; i < 4; i++) {
		MUST(DCALL(cuMemcpyHtoD_v2, dp, h, 1 * MiB));
		rec_bytes(FN_cuMemcpyHtoD_v2, 1 * MiB);
		MUST(DCALL(cuMemcpyDtoH_v2, h, dp, 1 * MiB));
		rec_bytes(FN_cuMemcpyDtoH_v2, 1 * MiB);
	}
	for (int i = 0; i < 2; i++) {
		MUST(DCALL(cuMemcpyDtoD_v2, DEV(d), dp, 1 * MiB));
		rec_bytes(FN_cuMemcpyDtoD_v2, 1 * MiB);
		MUST(DCALL(cuMemcpy, DEV(d), dp, 1 * MiB));
		rec_bytes(FN_cuMemcpy, 1 * MiB);
		MUST(DCALL(cuMemcpyAsync, dp, DEV(d), 1 * MiB, s));
		rec_bytes(FN_cuMemcpyAsync, 1 * MiB);
		MUST(DCALL(cuMemcpyHtoDAsync_v2, dp, h, 1 * MiB, s));
		rec_bytes(FN_cuMemcpyHtoDAsync_v2, 1 * MiB);
		MUST(DCALL(cuMemcpyDtoHAsync_v2, h, dp, 1 * MiB, s));
		rec_bytes(FN_cuMemcpyDtoHAsync_v2, 1 * MiB);
		MUST(DCALL(cuMemcpyDtoDAsync_v2, DEV(d), dp, 1 * MiB, s));
		rec_bytes(FN_cuMemcpyDtoDAsync_v2, 1 * MiB);
	}
	MUST(DCALL(cuStreamSynchronize, s));
	MUST(DCALL(cuMemFree_v2, dp));
}

/* Copies of every kind and API: see the body for the exact mix. */
static void memcpy_heavy(void)
{
	cudaStream_t s = stream_create();
	void *d0 = device_alloc(64 * MiB), *d1 = device_alloc(64 * MiB), *h = host_alloc(64 * MiB);

	for (int i = 0; i < 16; i++)
		copy(d0, h, 4 * MiB, cudaMemcpyHostToDevice);
	for (int i = 0; i < 16; i++)
		copy(h, d0, 4 * MiB, cudaMemcpyDeviceToHost);
	for (int i = 0; i < 8; i++)
		copy(d1, d0, 16 * MiB, cudaMemcpyDeviceToDevice);
	copy(h, h, 1 * MiB, cudaMemcpyHostToHost);
	copy(d1, h, 1 * MiB, cudaMemcpyDefault);
	for (int i = 0; i < 8; i++) {
		copy_async(d0, h, 4 * MiB, cudaMemcpyHostToDevice, s);
		copy_async(h, d0, 4 * MiB, cudaMemcpyDeviceToHost, s);
	}
	copy_async(d1, d0, 4 * MiB, cudaMemcpyDeviceToDevice, s);
	copy_async(d1, h, 4 * MiB, cudaMemcpyDefault, s);
	MUST(CALL(cudaStreamSynchronize, s));
	for (int i = 0; i < 2; i++) {
		MUST(CALL(cudaMemcpy2D, d0, 4096, h, 4096, 1024, 512, cudaMemcpyHostToDevice));
		rec_kind_bytes(FN_cudaMemcpy2D, cudaMemcpyHostToDevice, 1024 * 512);
		MUST(CALL(cudaMemcpy2DAsync, h, 4096, d0, 4096, 1024, 512, cudaMemcpyDeviceToHost, s));
		rec_kind_bytes(FN_cudaMemcpy2DAsync, cudaMemcpyDeviceToHost, 1024 * 512);
		MUST(CALL(cudaMemcpyPeer, d1, 1, d0, 0, 1 * MiB));
		rec_bytes(FN_cudaMemcpyPeer, 1 * MiB);
		MUST(CALL(cudaMemcpyPeerAsync, d1, 1, d0, 0, 1 * MiB, s));
		rec_bytes(FN_cudaMemcpyPeerAsync, 1 * MiB);
	}
	MUST(CALL(cudaStreamSynchronize, s));
	memcpy_direct(s, h, d1);
	MUST(CALL(cudaFreeHost, h));
	MUST(CALL(cudaFree, d1));
	MUST(CALL(cudaFree, d0));
	MUST(CALL(cudaStreamDestroy, s));
}

/* Syncs that each wait for real queued work: stream, device, event, and
 * the direct driver's stream and context syncs. */
static void sync_heavy(void)
{
	cudaStream_t s = stream_create();
	cudaEvent_t e;

	MUST(CALL(cudaEventCreate, &e));
	for (int i = 0; i < 50; i++) {
		launch(s, 256);
		MUST(CALL(cudaStreamSynchronize, s));
	}
	for (int i = 0; i < 10; i++) {
		launch(NULL, 256);
		launch(NULL, 256);
		MUST(CALL(cudaDeviceSynchronize));
	}
	for (int i = 0; i < 10; i++) {
		launch(s, 512);
		MUST(CALL(cudaEventRecord, e, s));
		MUST(CALL(cudaEventSynchronize, e));
	}
	for (int i = 0; i < 5; i++) {
		direct_launch(s, 256);
		MUST(DCALL(cuStreamSynchronize, s));
	}
	for (int i = 0; i < 5; i++) {
		MUST(DCALL(cuLaunchKernel_ptsz, (CUfunction)&kernel_driver, 256, 1, 1, 128, 1, 1, 0, NULL,
			   kernel_args, NULL));
		MUST(DCALL(cuCtxSynchronize));
	}
	MUST(CALL(cudaEventDestroy, e));
	MUST(CALL(cudaStreamDestroy, s));
}

/* capture records 10 launches on s into a graph in the given mode. */
static cudaGraph_t capture(cudaStream_t s, int mode)
{
	cudaGraph_t g;

	MUST(CALL(cudaStreamBeginCapture, s, mode));
	for (int i = 0; i < 10; i++)
		launch(s, 256);
	MUST(CALL(cudaStreamEndCapture, s, &g));
	return g;
}

/* A CUDA graph's life with every trouble the graph rules name, in one
 * iteration (counts are fixed):
 *   1. warm-up: a global-mode capture inside which cudaMalloc (a library
 *      initialising lazily) fails with 900; EndCapture returns 901;
 *   2. capture OOM: a relaxed-mode capture whose 1 PiB allocation runs out
 *      of memory;
 *   3. a good capture instantiated twice (…WithFlags); the second exec is
 *      never launched;
 *   4. 2000 fast replays of the first (a sync every 50), 5 of them through
 *      cuGraphLaunch directly;
 *   5. re-capture: 8 more captures, each instantiated (STANDIN_GRAPH_NS
 *      each) and launched twice: the launch rate collapses. */
static void graph_life(void)
{
	cudaStream_t s = stream_create();
	cudaGraph_t g, bad;
	cudaGraphExec_t exec, unused;
	void *p;

	MUST(CALL(cudaStreamBeginCapture, s, cudaStreamCaptureModeGlobal));
	launch(s, 256);
	if (CALL(cudaMalloc, &p, 1 * MiB) != cudaErrorStreamCaptureUnsupported)
		die("workload: graph-life: %s", "cudaMalloc inside a global capture did not fail");
	if (CALL(cudaStreamEndCapture, s, &bad) != cudaErrorStreamCaptureInvalidated)
		die("workload: graph-life: %s", "the broken capture did not fail");

	MUST(CALL(cudaStreamBeginCapture, s, cudaStreamCaptureModeRelaxed));
	launch(s, 256);
	if (CALL(cudaMalloc, &p, 1ULL << 50) != cudaErrorMemoryAllocation)
		die("workload: graph-life: %s", "a 1 PiB allocation did not run out of memory");
	MUST(CALL(cudaStreamEndCapture, s, &bad));
	MUST(CALL(cudaGraphDestroy, bad));

	g = capture(s, cudaStreamCaptureModeRelaxed);
	MUST(CALL(cudaGraphInstantiate, &exec, g, 0));
	MUST(CALL(cudaGraphInstantiateWithFlags, &unused, g, 1));
	for (int i = 0; i < 2000; i++) {
		if (i % 400 == 0)
			MUST(DCALL(cuGraphLaunch, exec, s));
		else
			MUST(CALL(cudaGraphLaunch, exec, s));
		if (i % 50 == 49)
			MUST(CALL(cudaStreamSynchronize, s));
	}
	for (int i = 0; i < 8; i++) {
		cudaGraph_t g2 = capture(s, cudaStreamCaptureModeRelaxed);
		cudaGraphExec_t e2;

		MUST(CALL(cudaGraphInstantiate, &e2, g2, 0));
		MUST(CALL(cudaGraphLaunch, e2, s));
		MUST(CALL(cudaGraphLaunch, e2, s));
		MUST(CALL(cudaStreamSynchronize, s));
		MUST(CALL(cudaGraphExecDestroy, e2));
		MUST(CALL(cudaGraphDestroy, g2));
	}
	MUST(CALL(cudaGraphExecDestroy, unused));
	MUST(CALL(cudaGraphExecDestroy, exec));
	MUST(CALL(cudaGraphDestroy, g));
	MUST(CALL(cudaStreamDestroy, s));
}

/* Capture 10 launches into a graph, instantiate it, launch it 5 times. */
static void graph(void)
{
	cudaStream_t s = stream_create();
	cudaGraph_t g;
	cudaGraphExec_t exec;

	MUST(CALL(cudaStreamBeginCapture, s, 0));
	for (int i = 0; i < 10; i++)
		launch(s, 256);
	MUST(CALL(cudaStreamEndCapture, s, &g));
	MUST(CALL(cudaGraphInstantiate, &exec, g, 0));
	for (int i = 0; i < 5; i++)
		MUST(CALL(cudaGraphLaunch, exec, s));
	MUST(CALL(cudaStreamSynchronize, s));
	MUST(CALL(cudaGraphExecDestroy, exec));
	MUST(CALL(cudaGraphDestroy, g));
	MUST(CALL(cudaStreamDestroy, s));
}

/* Every API function the stand-ins export (but cuInit and the address
 * lookups), so that each probe of a tracer fires at least once. */
static void coverage(void)
{
	dim3 grid = {32, 1, 1}, block = {128, 1, 1};
	CUlaunchConfig config = {.gridDimX = 32, .gridDimY = 1, .gridDimZ = 1, .blockDimX = 128,
				 .blockDimY = 1, .blockDimZ = 1};
	void *d = device_alloc(1 * MiB), *m, *h = host_alloc(1 * MiB);
	CUdeviceptr dp = direct_alloc(1 * MiB), dm;
	cudaStream_t s = stream_create();
	cudaEvent_t e;

	MUST(CALL(cudaMallocManaged, &m, 1 * MiB, 1));
	rec_bytes(FN_cudaMallocManaged, 1 * MiB);
	MUST(DCALL(cuMemAllocManaged, &dm, 1 * MiB, 1));
	rec_bytes(FN_cuMemAllocManaged, 1 * MiB);

	launch(s, 32);
	MUST(CALL(cudaLaunchKernel_ptsz, &kernel_runtime, grid, block, kernel_args, 0, NULL));
	direct_launch(s, 32);
	MUST(DCALL(cuLaunchKernel_ptsz, (CUfunction)&kernel_driver, 32, 1, 1, 128, 1, 1, 0, NULL, kernel_args,
		   NULL));
	config.hStream = s;
	MUST(DCALL(cuLaunchKernelEx, &config, (CUfunction)&kernel_driver, kernel_args, NULL));

	copy(d, h, 64 * KiB, cudaMemcpyHostToDevice);
	copy_async(h, d, 64 * KiB, cudaMemcpyDeviceToHost, s);
	MUST(CALL(cudaMemcpy2D, d, 1024, h, 1024, 512, 64, cudaMemcpyHostToDevice));
	rec_kind_bytes(FN_cudaMemcpy2D, cudaMemcpyHostToDevice, 512 * 64);
	MUST(CALL(cudaMemcpy2DAsync, h, 1024, d, 1024, 512, 64, cudaMemcpyDeviceToHost, s));
	rec_kind_bytes(FN_cudaMemcpy2DAsync, cudaMemcpyDeviceToHost, 512 * 64);
	MUST(CALL(cudaMemcpyPeer, m, 1, d, 0, 64 * KiB));
	rec_bytes(FN_cudaMemcpyPeer, 64 * KiB);
	MUST(CALL(cudaMemcpyPeerAsync, m, 1, d, 0, 64 * KiB, s));
	rec_bytes(FN_cudaMemcpyPeerAsync, 64 * KiB);
	MUST(DCALL(cuMemcpy, dp, dm, 64 * KiB));
	rec_bytes(FN_cuMemcpy, 64 * KiB);
	MUST(DCALL(cuMemcpyAsync, dm, dp, 64 * KiB, s));
	rec_bytes(FN_cuMemcpyAsync, 64 * KiB);
	MUST(DCALL(cuMemcpyHtoD_v2, dp, h, 64 * KiB));
	rec_bytes(FN_cuMemcpyHtoD_v2, 64 * KiB);
	MUST(DCALL(cuMemcpyDtoH_v2, h, dp, 64 * KiB));
	rec_bytes(FN_cuMemcpyDtoH_v2, 64 * KiB);
	MUST(DCALL(cuMemcpyDtoD_v2, dm, dp, 64 * KiB));
	rec_bytes(FN_cuMemcpyDtoD_v2, 64 * KiB);
	MUST(DCALL(cuMemcpyHtoDAsync_v2, dp, h, 64 * KiB, s));
	rec_bytes(FN_cuMemcpyHtoDAsync_v2, 64 * KiB);
	MUST(DCALL(cuMemcpyDtoHAsync_v2, h, dp, 64 * KiB, s));
	rec_bytes(FN_cuMemcpyDtoHAsync_v2, 64 * KiB);
	MUST(DCALL(cuMemcpyDtoDAsync_v2, dm, dp, 64 * KiB, s));
	rec_bytes(FN_cuMemcpyDtoDAsync_v2, 64 * KiB);

	MUST(CALL(cudaEventCreate, &e));
	MUST(CALL(cudaEventRecord, e, s));
	MUST(CALL(cudaEventSynchronize, e));
	MUST(CALL(cudaEventDestroy, e));
	MUST(CALL(cudaStreamSynchronize, s));
	MUST(DCALL(cuStreamSynchronize, s));
	MUST(CALL(cudaDeviceSynchronize));
	MUST(DCALL(cuCtxSynchronize));
	MUST(CALL(cudaGetLastError));

	MUST(DCALL(cuMemFree_v2, dm));
	MUST(DCALL(cuMemFree_v2, dp));
	MUST(CALL(cudaFree, m));
	MUST(CALL(cudaFreeHost, h));
	MUST(CALL(cudaFree, d));
	MUST(CALL(cudaStreamDestroy, s));
	graph();
}

/* The training steps below reuse what a training loop sets up once, on its
 * first step: its stream, a pinned staging buffer and the device tensor it
 * fills. Those calls (1 cudaStreamCreate, 1 cudaMallocHost of 4 MiB, 1
 * cudaMalloc of 4 MiB) are made once per process, whichever training
 * pattern runs first; every thread that runs one shares them. */
static struct {
	pthread_once_t once;
	cudaStream_t stream;
	void *pinned, *input;
} train_state = {.once = PTHREAD_ONCE_INIT};

static void train_setup(void)
{
	train_state.stream = stream_create();
	train_state.pinned = host_alloc(4 * MiB);
	train_state.input = device_alloc(4 * MiB);
}

static cudaStream_t train_stream(void)
{
	pthread_once(&train_state.once, train_setup);
	return train_state.stream;
}

/* The batch, from pinned memory: 1 cudaMemcpyAsync of 4 MiB. */
static void train_input(cudaStream_t s)
{
	copy_async(train_state.input, train_state.pinned, 4 * MiB, cudaMemcpyHostToDevice, s);
}

/* Forward and backward: 48 launches of 128 blocks, every sixth straight
 * to the driver as cuBLAS does: 40 cudaLaunchKernel, 8 cuLaunchKernel. */
static void train_kernels(cudaStream_t s)
{
	for (int k = 0; k < 48; k++) {
		if (k % 6 == 5)
			direct_launch(s, 128);
		else
			launch(s, 128);
	}
}

/* A PyTorch-style step: input copy, kernels, one cudaStreamSynchronize
 * (the loss.item() that waits for the step). */
static void train(void)
{
	cudaStream_t s = train_stream();

	train_input(s);
	train_kernels(s);
	MUST(CALL(cudaStreamSynchronize, s));
}

/* A step that empties the caching allocator every time, as
 * torch.cuda.empty_cache() in the loop does: 6 cudaMalloc (896 MiB in all)
 * and 6 cudaFree on top of train, while the kernels run. */
static void train_churn(void)
{
	static const size_t sizes[] = {64 * MiB, 128 * MiB, 256 * MiB, 64 * MiB, 128 * MiB, 256 * MiB};
	cudaStream_t s = train_stream();
	void *d[6];

	train_input(s);
	train_kernels(s);
	for (int i = 0; i < 6; i++)
		d[i] = device_alloc(sizes[i]);
	for (int i = 0; i < 6; i++)
		MUST(CALL(cudaFree, d[i]));
	MUST(CALL(cudaStreamSynchronize, s));
}

/* train-copy's own setup, once per process: 256 MiB of pageable host memory
 * (plain malloc, never touched: the stand-in copies no bytes) and 1
 * cudaMalloc of 256 MiB to copy it into. */
static struct {
	pthread_once_t once;
	void *pageable, *dst;
} bulk_state = {.once = PTHREAD_ONCE_INIT};

static void bulk_setup(void)
{
	if (!(bulk_state.pageable = malloc(256 * MiB)))
		die("workload: %s", "allocating 256 MiB of pageable memory");
	bulk_state.dst = device_alloc(256 * MiB);
}

/* A step that also copies 256 MiB from pageable memory with a synchronous
 * cudaMemcpy before its kernels, the way a dataset kept on the host is fed
 * to the GPU by a loop that never pinned it. */
static void train_copy(void)
{
	cudaStream_t s = train_stream();

	pthread_once(&bulk_state.once, bulk_setup);
	train_input(s);
	copy(bulk_state.dst, bulk_state.pageable, 256 * MiB, cudaMemcpyHostToDevice);
	train_kernels(s);
	MUST(CALL(cudaStreamSynchronize, s));
}

/* An input-bound step: the loop builds its batch on the CPU before each
 * step (STANDIN_INPUT_NS, default 20 ms of work), as a loop with no
 * DataLoader workers does in Python; the GPU idles meanwhile. The calls
 * are train's. */
static void train_input_bound(void)
{
	spin_for(env_u64("STANDIN_INPUT_NS", 20000000));
	train();
}

/* A step that checkpoints in the loop, as torch.save followed by an fsync
 * does: every STANDIN_CKPT_PERIOD_NS (default 1 s) the loop itself writes
 * STANDIN_CKPT_BYTES (default 128 MiB) to $STANDIN_CKPT_DIR/checkpoint (a
 * disk, not tmpfs, for the fsync to wait on one) and fsyncs it before its
 * next step. The CUDA calls are train's. */
static void train_checkpoint(void)
{
	static uint64_t last;
	static char *buf;
	uint64_t now = now_ns(), period = env_u64("STANDIN_CKPT_PERIOD_NS", 1000000000ULL);

	train();
	if (!last)
		last = now;
	if (now - last < period)
		return;
	last = now;
	size_t bytes = (size_t)env_u64("STANDIN_CKPT_BYTES", 128 * MiB), chunk = 4 * MiB;
	if (!buf) {
		if (!(buf = malloc(chunk)))
			die("workload: %s", "allocating the checkpoint buffer");
		for (size_t i = 0; i < chunk; i++)
			buf[i] = (char)(i * 131 + 7); /* not zeros: nothing may skip them */
	}
	const char *dir = getenv("STANDIN_CKPT_DIR");
	char path[4096];
	if (!dir || !*dir)
		die("workload: %s", "train-ckpt writes its checkpoint to $STANDIN_CKPT_DIR: set it");
	snprintf(path, sizeof(path), "%s/checkpoint", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("workload: cannot write the checkpoint %s", path);
	for (size_t done = 0; done < bytes;) {
		ssize_t n = write(fd, buf, bytes - done < chunk ? bytes - done : chunk);
		if (n <= 0)
			die("workload: writing the checkpoint %s", path);
		done += (size_t)n;
	}
	if (fsync(fd) != 0)
		die("workload: fsync of the checkpoint %s", path);
	close(fd);
}

/* A step that also walks a working set, as a loop over a dataset held in
 * host memory does: one read of every 4 KiB page of STANDIN_WORKING_SET_BYTES
 * (default 64 MiB). With $STANDIN_DATA_DIR the set is a file there (written
 * once, then memory-mapped: np.memmap), else anonymous memory (written
 * once). Under a cgroup memory limit below the set, every step faults its
 * pages back in (from the file, or from swap) after the kernel reclaimed
 * them. The CUDA calls are train's. */
static struct {
	pthread_once_t once;
	volatile unsigned char *set;
	size_t bytes;
} paging_state = {.once = PTHREAD_ONCE_INIT};

static void paging_setup(void)
{
	const char *dir = getenv("STANDIN_DATA_DIR");
	size_t bytes = (size_t)env_u64("STANDIN_WORKING_SET_BYTES", 64 * MiB), chunk = 1 * MiB;
	char path[4096], *buf;
	void *set;

	paging_state.bytes = bytes;
	if (!dir || !*dir) {
		set = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (set == MAP_FAILED)
			die("workload: %s", "mapping the working set");
		for (size_t i = 0; i < bytes; i += 4096)
			((unsigned char *)set)[i] = (unsigned char)(i >> 12 | 1);
		paging_state.set = set;
		return;
	}
	snprintf(path, sizeof(path), "%s/dataset", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !(buf = malloc(chunk)))
		die("workload: cannot write the dataset %s", path);
	memset(buf, 7, chunk);
	for (size_t done = 0; done < bytes; done += chunk)
		if (write(fd, buf, bytes - done < chunk ? bytes - done : chunk) <= 0)
			die("workload: writing the dataset %s", path);
	free(buf);
	set = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (set == MAP_FAILED)
		die("workload: mapping the dataset %s", path);
	close(fd);
	paging_state.set = set;
}

static void train_paging(void)
{
	unsigned sum = 0;

	pthread_once(&paging_state.once, paging_setup);
	train();
	for (size_t i = 0; i < paging_state.bytes; i += 4096)
		sum += paging_state.set[i];
	if (sum == 1)
		die("workload: %s", "impossible sum");
}

static const struct {
	const char *name;
	pattern_fn fn;
} patterns[] = {
	{"basic", basic},
	{"launch-storm", launch_storm},
	{"leak", leak},
	{"oom", oom},
	{"memcpy-heavy", memcpy_heavy},
	{"sync-heavy", sync_heavy},
	{"graph", graph},
	{"graph-life", graph_life},
	{"nccl-ranks", nccl_ranks},
	{"coverage", coverage},
	{"train", train},
	{"train-churn", train_churn},
	{"train-copy", train_copy},
	{"train-input", train_input_bound},
	{"train-ckpt", train_checkpoint},
	{"train-paging", train_paging},
};

pattern_fn pattern_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (strcmp(patterns[i].name, name) == 0)
			return patterns[i].fn;
	return NULL;
}
