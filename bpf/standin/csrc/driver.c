/* Stand-in libcuda.so.1: the driver API entry points a tracer probes, with
 * the real names and C signatures, each busy-waiting for a realistic time on
 * top of the simulated device in gpu_model.c. */
#include <pthread.h>
#include <string.h>

#include "driver.h"

static struct standin_config cfg;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static int initialized;

static void load(void)
{
	config_load(&cfg);
	stats_init();
	model_init();
}

/* Counts the call for STANDIN_DRIVER_STATS. A macro, so that the return
 * address is the exported function's own. */
#define ENTER(fn)                                                 \
	do {                                                      \
		pthread_once(&config_once, load);                 \
		stats_count(DF_##fn, __builtin_return_address(0)); \
	} while (0)

#define REQUIRE_INIT()                                       \
	do {                                                 \
		if (!__atomic_load_n(&initialized, __ATOMIC_ACQUIRE)) \
			return CUDA_ERROR_NOT_INITIALIZED;   \
	} while (0)

/* The behaviours, shared by the exported entry points and the private table
 * the runtime uses when it must not call an exported one. */

static CUresult do_launch(CUstream stream, unsigned long long blocks)
{
	if (!blocks)
		return CUDA_ERROR_INVALID_VALUE;
	spin_for(cfg.launch_ns);
	model_enqueue(stream, kernel_ns(&cfg, blocks));
	return CUDA_SUCCESS;
}

static CUresult do_alloc(CUdeviceptr *ptr, size_t bytes)
{
	uint64_t start = now_ns();
	CUresult rc = model_alloc(ptr, bytes, cfg.oom_after_bytes);

	/* A failed allocation gives up early, as the real one does. */
	spin_until(start + (rc == CUDA_SUCCESS ? alloc_cost_ns(&cfg, bytes) : cfg.alloc_ns));
	return rc;
}

static CUresult do_free(CUdeviceptr ptr)
{
	spin_for(cfg.free_ns);
	return model_free(ptr);
}

/* A synchronous copy runs behind all queued work, like one on the legacy
 * default stream. On a shared device that includes the other processes'
 * work, and the copy holds the device from them in turn. */
static CUresult do_copy(size_t bytes)
{
	uint64_t ns = cfg.memcpy_ns + transfer_ns(&cfg, bytes);

	if (model_shared()) {
		spin_until(model_occupy_device(ns));
		return CUDA_SUCCESS;
	}
	spin_until(model_device_deadline());
	spin_for(ns);
	return CUDA_SUCCESS;
}

static CUresult do_copy_async(size_t bytes, CUstream stream)
{
	spin_for(cfg.async_ns);
	model_enqueue(stream, cfg.memcpy_ns + transfer_ns(&cfg, bytes));
	return CUDA_SUCCESS;
}

static CUresult do_stream_sync(CUstream stream)
{
	spin_until(model_stream_deadline(stream));
	spin_for(cfg.sync_ns);
	return CUDA_SUCCESS;
}

static CUresult do_ctx_sync(void)
{
	spin_until(model_device_deadline());
	spin_for(cfg.sync_ns);
	return CUDA_SUCCESS;
}

static const struct standin_private private_table = {
	.size = sizeof(struct standin_private),
	.launch = do_launch,
	.alloc = do_alloc,
	.free = do_free,
	.copy = do_copy,
	.copy_async = do_copy_async,
	.stream_sync = do_stream_sync,
	.ctx_sync = do_ctx_sync,
	.enqueue = model_enqueue,
	.stream_deadline = model_stream_deadline,
};

API CUresult cuInit(unsigned int flags)
{
	ENTER(cuInit);
	if (flags)
		return CUDA_ERROR_INVALID_VALUE;
	__atomic_store_n(&initialized, 1, __ATOMIC_RELEASE);
	return CUDA_SUCCESS;
}

API CUresult cuGetExportTable(const void **table, const CUuuid *id)
{
	ENTER(cuGetExportTable);
	if (!table || !id)
		return CUDA_ERROR_INVALID_VALUE;
	if (memcmp(id->bytes, STANDIN_PRIVATE_UUID, sizeof(id->bytes)) != 0) {
		*table = NULL;
		return CUDA_ERROR_NOT_FOUND;
	}
	*table = &private_table;
	return CUDA_SUCCESS;
}

API CUresult cuGetProcAddress(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags)
{
	ENTER(cuGetProcAddress);
	if (!symbol || !pfn)
		return CUDA_ERROR_INVALID_VALUE;
	*pfn = procaddr_lookup(symbol, cudaVersion, flags);
	return *pfn ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

API CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags,
				 int *symbolStatus)
{
	ENTER(cuGetProcAddress_v2);
	if (!symbol || !pfn)
		return CUDA_ERROR_INVALID_VALUE;
	*pfn = procaddr_lookup(symbol, cudaVersion, flags);
	if (symbolStatus)
		*symbolStatus = *pfn ? CU_GET_PROC_ADDRESS_SUCCESS : CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
	return *pfn ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

API CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
			    unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
			    unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)
{
	ENTER(cuLaunchKernel);
	REQUIRE_INIT();
	(void)blockDimX, (void)blockDimY, (void)blockDimZ, (void)sharedMemBytes, (void)kernelParams, (void)extra;
	if (!f)
		return CUDA_ERROR_INVALID_VALUE;
	return do_launch(hStream, (unsigned long long)gridDimX * gridDimY * gridDimZ);
}

API CUresult cuLaunchKernel_ptsz(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
				 unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
				 unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)
{
	ENTER(cuLaunchKernel_ptsz);
	REQUIRE_INIT();
	(void)blockDimX, (void)blockDimY, (void)blockDimZ, (void)sharedMemBytes, (void)kernelParams, (void)extra;
	if (!f)
		return CUDA_ERROR_INVALID_VALUE;
	return do_launch(hStream, (unsigned long long)gridDimX * gridDimY * gridDimZ);
}

API CUresult cuLaunchKernelEx(const CUlaunchConfig *config, CUfunction f, void **kernelParams, void **extra)
{
	ENTER(cuLaunchKernelEx);
	REQUIRE_INIT();
	(void)kernelParams, (void)extra;
	if (!config || !f)
		return CUDA_ERROR_INVALID_VALUE;
	return do_launch(config->hStream,
			 (unsigned long long)config->gridDimX * config->gridDimY * config->gridDimZ);
}

API CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize)
{
	ENTER(cuMemAlloc_v2);
	REQUIRE_INIT();
	return do_alloc(dptr, bytesize);
}

API CUresult cuMemAllocManaged(CUdeviceptr *dptr, size_t bytesize, unsigned int flags)
{
	ENTER(cuMemAllocManaged);
	REQUIRE_INIT();
	(void)flags;
	return do_alloc(dptr, bytesize);
}

API CUresult cuMemFree_v2(CUdeviceptr dptr)
{
	ENTER(cuMemFree_v2);
	REQUIRE_INIT();
	return do_free(dptr);
}

API CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t ByteCount)
{
	ENTER(cuMemcpy);
	REQUIRE_INIT();
	(void)dst, (void)src;
	return do_copy(ByteCount);
}

API CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t ByteCount, CUstream hStream)
{
	ENTER(cuMemcpyAsync);
	REQUIRE_INIT();
	(void)dst, (void)src;
	return do_copy_async(ByteCount, hStream);
}

API CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount)
{
	ENTER(cuMemcpyHtoD_v2);
	REQUIRE_INIT();
	(void)dstDevice, (void)srcHost;
	return do_copy(ByteCount);
}

API CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount)
{
	ENTER(cuMemcpyDtoH_v2);
	REQUIRE_INIT();
	(void)dstHost, (void)srcDevice;
	return do_copy(ByteCount);
}

API CUresult cuMemcpyDtoD_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount)
{
	ENTER(cuMemcpyDtoD_v2);
	REQUIRE_INIT();
	(void)dstDevice, (void)srcDevice;
	return do_copy(ByteCount);
}

API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream)
{
	ENTER(cuMemcpyHtoDAsync_v2);
	REQUIRE_INIT();
	(void)dstDevice, (void)srcHost;
	return do_copy_async(ByteCount, hStream);
}

API CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)
{
	ENTER(cuMemcpyDtoHAsync_v2);
	REQUIRE_INIT();
	(void)dstHost, (void)srcDevice;
	return do_copy_async(ByteCount, hStream);
}

API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)
{
	ENTER(cuMemcpyDtoDAsync_v2);
	REQUIRE_INIT();
	(void)dstDevice, (void)srcDevice;
	return do_copy_async(ByteCount, hStream);
}

API CUresult cuStreamSynchronize(CUstream hStream)
{
	ENTER(cuStreamSynchronize);
	REQUIRE_INIT();
	return do_stream_sync(hStream);
}

/* cuGraphLaunch(hGraphExec, hStream): the whole graph's kernel time at
 * the cost of one launch. */
API CUresult cuGraphLaunch(void *hGraphExec, CUstream hStream)
{
	const struct standin_graph *g = hGraphExec;

	ENTER(cuGraphLaunch);
	REQUIRE_INIT();
	if (!g || g->magic != STANDIN_GRAPH_MAGIC)
		return CUDA_ERROR_INVALID_VALUE;
	spin_for(cfg.launch_ns);
	model_enqueue(hStream, g->node_ns);
	return CUDA_SUCCESS;
}

API CUresult cuCtxSynchronize(void)
{
	ENTER(cuCtxSynchronize);
	REQUIRE_INIT();
	return do_ctx_sync();
}
