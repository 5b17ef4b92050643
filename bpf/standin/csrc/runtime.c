/* Stand-in libcudart.so.12: memory, launches, copies and syncs. Each call
 * spends its own small overhead around one driver call through the pointers
 * of runtime_init.c. With STANDIN_RUNTIME_ONLY=1 the same work goes through
 * the driver's private table instead, so no exported driver function runs
 * below a runtime call, as on older stacks. */
#include <stdint.h>
#include <stdlib.h>

#include "runtime.h"

#define DEV(p) ((CUdeviceptr)(uintptr_t)(p))

enum { cudaErrorInvalidPitchValue = 12, cudaErrorInvalidDeviceFunction = 98 };

API cudaError_t cudaMalloc(void **devPtr, size_t size)
{
	CUdeviceptr p = 0;
	cudaError_t rc;

	RT_BEGIN();
	if (!devPtr)
		return rt_result(cudaErrorInvalidValue);
	if (capture_forbids_unsafe())
		return rt_result(cudaErrorStreamCaptureUnsupported);
	rt_overhead();
	rc = rcfg.runtime_only ? priv->alloc(&p, size) : drv.cuMemAlloc(&p, size);
	*devPtr = rc ? NULL : (void *)(uintptr_t)p;
	rt_overhead();
	return rt_result(rc);
}

API cudaError_t cudaMallocManaged(void **devPtr, size_t size, unsigned int flags)
{
	CUdeviceptr p = 0;
	cudaError_t rc;

	RT_BEGIN();
	if (!devPtr)
		return rt_result(cudaErrorInvalidValue);
	rt_overhead();
	rc = rcfg.runtime_only ? priv->alloc(&p, size) : drv.cuMemAllocManaged(&p, size, flags);
	*devPtr = rc ? NULL : (void *)(uintptr_t)p;
	rt_overhead();
	return rt_result(rc);
}

/* cudaFree(NULL) is the classic way to create the context: it initializes
 * and frees nothing. */
API cudaError_t cudaFree(void *devPtr)
{
	cudaError_t rc;

	RT_BEGIN();
	if (!devPtr)
		return cudaSuccess;
	rt_overhead();
	rc = rcfg.runtime_only ? priv->free(DEV(devPtr)) : drv.cuMemFree(DEV(devPtr));
	rt_overhead();
	return rt_result(rc);
}

/* Pinned host memory stays in the runtime: real host memory, never touched. */
API cudaError_t cudaMallocHost(void **ptr, size_t size)
{
	uint64_t start = now_ns();

	RT_BEGIN();
	if (!ptr || !size)
		return rt_result(cudaErrorInvalidValue);
	*ptr = malloc(size);
	if (!*ptr)
		return rt_result(cudaErrorMemoryAllocation);
	spin_until(start + rcfg.host_alloc_ns + (uint64_t)((unsigned __int128)size * rcfg.alloc_ns_per_mib >> 20));
	return cudaSuccess;
}

API cudaError_t cudaFreeHost(void *ptr)
{
	RT_BEGIN();
	spin_for(rcfg.host_free_ns);
	free(ptr);
	return cudaSuccess;
}

static cudaError_t launch(const void *func, dim3 grid, dim3 block, void **args, size_t sharedMem,
			  cudaStream_t stream, launch_fn driver_launch)
{
	unsigned long long blocks = (unsigned long long)grid.x * grid.y * grid.z;
	cudaError_t rc = cudaSuccess;

	if (!func)
		return cudaErrorInvalidDeviceFunction;
	rt_overhead();
	if (capture_add(stream, kernel_ns(&rcfg, blocks)))
		spin_for(rcfg.launch_ns); /* captured launches never reach the driver */
	else if (rcfg.runtime_only)
		rc = priv->launch(stream, blocks);
	else
		rc = driver_launch((CUfunction)func, grid.x, grid.y, grid.z, block.x, block.y, block.z,
				   (unsigned int)sharedMem, stream, args, NULL);
	rt_overhead();
	return rc;
}

API cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args, size_t sharedMem,
				 cudaStream_t stream)
{
	RT_BEGIN();
	return rt_result(launch(func, gridDim, blockDim, args, sharedMem, stream, drv.cuLaunchKernel));
}

API cudaError_t cudaLaunchKernel_ptsz(const void *func, dim3 gridDim, dim3 blockDim, void **args,
				      size_t sharedMem, cudaStream_t stream)
{
	RT_BEGIN();
	return rt_result(launch(func, gridDim, blockDim, args, sharedMem, stream, drv.cuLaunchKernel_ptsz));
}

static CUresult copy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
	if (rcfg.runtime_only)
		return priv->copy(count);
	switch (kind) {
	case cudaMemcpyHostToDevice:
		return drv.cuMemcpyHtoD(DEV(dst), src, count);
	case cudaMemcpyDeviceToHost:
		return drv.cuMemcpyDtoH(dst, DEV(src), count);
	case cudaMemcpyDeviceToDevice:
		return drv.cuMemcpyDtoD(DEV(dst), DEV(src), count);
	default:
		return drv.cuMemcpy(DEV(dst), DEV(src), count);
	}
}

static CUresult copy_async(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t stream)
{
	if (rcfg.runtime_only)
		return priv->copy_async(count, stream);
	switch (kind) {
	case cudaMemcpyHostToDevice:
		return drv.cuMemcpyHtoDAsync(DEV(dst), src, count, stream);
	case cudaMemcpyDeviceToHost:
		return drv.cuMemcpyDtoHAsync(dst, DEV(src), count, stream);
	case cudaMemcpyDeviceToDevice:
		return drv.cuMemcpyDtoDAsync(DEV(dst), DEV(src), count, stream);
	default:
		return drv.cuMemcpyAsync(DEV(dst), DEV(src), count, stream);
	}
}

API cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
	cudaError_t rc;

	RT_BEGIN();
	if ((unsigned int)kind > cudaMemcpyDefault)
		return rt_result(cudaErrorInvalidMemcpyDirection);
	rt_overhead();
	rc = copy(dst, src, count, kind);
	rt_overhead();
	return rt_result(rc);
}

API cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind,
				cudaStream_t stream)
{
	cudaError_t rc;

	RT_BEGIN();
	if ((unsigned int)kind > cudaMemcpyDefault)
		return rt_result(cudaErrorInvalidMemcpyDirection);
	rt_overhead();
	rc = copy_async(dst, src, count, kind, stream);
	rt_overhead();
	return rt_result(rc);
}

/* 2D and peer copies reach the driver through entry points no tracer
 * probes (cuMemcpy2D_v2, cuMemcpyPeer): here, the private table. */
API cudaError_t cudaMemcpy2D(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width, size_t height,
			     enum cudaMemcpyKind kind)
{
	cudaError_t rc;

	RT_BEGIN();
	(void)dst, (void)src;
	if ((unsigned int)kind > cudaMemcpyDefault)
		return rt_result(cudaErrorInvalidMemcpyDirection);
	if (width > dpitch || width > spitch)
		return rt_result(cudaErrorInvalidPitchValue);
	rt_overhead();
	rc = priv->copy(width * height);
	rt_overhead();
	return rt_result(rc);
}

API cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
				  size_t height, enum cudaMemcpyKind kind, cudaStream_t stream)
{
	cudaError_t rc;

	RT_BEGIN();
	(void)dst, (void)src;
	if ((unsigned int)kind > cudaMemcpyDefault)
		return rt_result(cudaErrorInvalidMemcpyDirection);
	if (width > dpitch || width > spitch)
		return rt_result(cudaErrorInvalidPitchValue);
	rt_overhead();
	rc = priv->copy_async(width * height, stream);
	rt_overhead();
	return rt_result(rc);
}

API cudaError_t cudaMemcpyPeer(void *dst, int dstDevice, const void *src, int srcDevice, size_t count)
{
	cudaError_t rc;

	RT_BEGIN();
	(void)dst, (void)src, (void)dstDevice, (void)srcDevice;
	rt_overhead();
	rc = priv->copy(count);
	rt_overhead();
	return rt_result(rc);
}

API cudaError_t cudaMemcpyPeerAsync(void *dst, int dstDevice, const void *src, int srcDevice, size_t count,
				    cudaStream_t stream)
{
	cudaError_t rc;

	RT_BEGIN();
	(void)dst, (void)src, (void)dstDevice, (void)srcDevice;
	rt_overhead();
	rc = priv->copy_async(count, stream);
	rt_overhead();
	return rt_result(rc);
}

API cudaError_t cudaStreamSynchronize(cudaStream_t stream)
{
	cudaError_t rc;

	RT_BEGIN();
	if (capturing(stream))
		return rt_result(cudaErrorStreamCaptureUnsupported);
	rt_overhead();
	rc = rcfg.runtime_only ? priv->stream_sync(stream) : drv.cuStreamSynchronize(stream);
	rt_overhead();
	return rt_result(rc);
}

API cudaError_t cudaDeviceSynchronize(void)
{
	cudaError_t rc;

	RT_BEGIN();
	rt_overhead();
	rc = rcfg.runtime_only ? priv->ctx_sync() : drv.cuCtxSynchronize();
	rt_overhead();
	return rt_result(rc);
}

API cudaError_t cudaGetLastError(void)
{
	cudaError_t init = rt_enter();
	cudaError_t last = rt_take_last_error();

	return last ? last : init;
}
