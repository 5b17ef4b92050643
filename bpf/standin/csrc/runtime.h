/* Declarations shared by the files of the stand-in libcudart.so.12. */
#ifndef STANDIN_RUNTIME_H
#define STANDIN_RUNTIME_H

#include "cuda_types.h"
#include "standin.h"

#define API __attribute__((visibility("default"), noinline))

typedef CUresult (*launch_fn)(CUfunction, unsigned int, unsigned int, unsigned int, unsigned int, unsigned int,
			      unsigned int, unsigned int, CUstream, void **, void **);

/* The driver as the runtime sees it: pointers filled at init by
 * cuGetProcAddress_v2, never PLT calls. */
struct driver {
	CUresult (*cuInit)(unsigned int);
	CUresult (*cuGetExportTable)(const void **, const CUuuid *);
	launch_fn cuLaunchKernel;
	launch_fn cuLaunchKernel_ptsz;
	CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
	CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned int);
	CUresult (*cuMemFree)(CUdeviceptr);
	CUresult (*cuMemcpy)(CUdeviceptr, CUdeviceptr, size_t);
	CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
	CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
	CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
	CUresult (*cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
	CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
	CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
	CUresult (*cuMemcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
	CUresult (*cuStreamSynchronize)(CUstream);
	CUresult (*cuCtxSynchronize)(void);
	CUresult (*cuGraphLaunch)(void *, CUstream);
};

extern struct driver drv;
extern const struct standin_private *priv;
extern struct standin_config rcfg;

/* Initializes on first use; nonzero when the driver could not be loaded. */
cudaError_t rt_enter(void);
/* Records a failure for cudaGetLastError and passes rc through. */
cudaError_t rt_result(cudaError_t rc);
cudaError_t rt_take_last_error(void);
/* Half the runtime's own time: spent once before and once after the driver
 * call, so the driver call sits inside the runtime call. */
void rt_overhead(void);

/* Stream capture (runtime_objects.c): nonzero when stream is capturing, in
 * which case the work becomes a graph node instead of running. */
int capture_add(cudaStream_t stream, uint64_t ns);
int capturing(cudaStream_t stream);
/* Nonzero when a global-mode capture forbids an unsafe call (and is now
 * invalidated by it). */
int capture_forbids_unsafe(void);

#define RT_BEGIN()                               \
	do {                                     \
		cudaError_t init_rc_ = rt_enter(); \
		if (init_rc_)                    \
			return init_rc_;         \
	} while (0)

#endif
