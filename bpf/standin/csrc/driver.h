/* Declarations shared by the files of the stand-in libcuda.so.1. The
 * library is built with -fvisibility=hidden and a version script, so none of
 * these leak into the dynamic symbol table. */
#ifndef STANDIN_DRIVER_H
#define STANDIN_DRIVER_H

#include "cuda_types.h"
#include "standin.h"

#define API __attribute__((visibility("default"), noinline))

/* Every exported driver function, in one list, for the stats table and the
 * cuGetProcAddress lookup. */
#define DRIVER_FUNCS(X)            \
	X(cuInit)                  \
	X(cuGetProcAddress)        \
	X(cuGetProcAddress_v2)     \
	X(cuGetExportTable)        \
	X(cuLaunchKernel)          \
	X(cuLaunchKernel_ptsz)     \
	X(cuLaunchKernelEx)        \
	X(cuMemAlloc_v2)           \
	X(cuMemAllocManaged)       \
	X(cuMemFree_v2)            \
	X(cuMemcpy)                \
	X(cuMemcpyAsync)           \
	X(cuMemcpyHtoD_v2)         \
	X(cuMemcpyDtoH_v2)         \
	X(cuMemcpyDtoD_v2)         \
	X(cuMemcpyHtoDAsync_v2)    \
	X(cuMemcpyDtoHAsync_v2)    \
	X(cuMemcpyDtoDAsync_v2)    \
	X(cuStreamSynchronize)     \
	X(cuCtxSynchronize)        \
	X(cuGraphLaunch)

enum driver_func {
#define DRIVER_ENUM(name) DF_##name,
	DRIVER_FUNCS(DRIVER_ENUM)
#undef DRIVER_ENUM
	DF_COUNT
};

extern const char *const driver_func_names[DF_COUNT];

/* gpu_model.c: the simulated device. */
void model_init(void);
/* Nonzero when STANDIN_DEVICE_FILE shares the device with other processes. */
int model_shared(void);
void model_enqueue(CUstream stream, uint64_t ns);
/* Holds the device for ns once all work queued on it is done, and returns
 * when that ends: a synchronous copy. */
uint64_t model_occupy_device(uint64_t ns);
uint64_t model_stream_deadline(CUstream stream);
uint64_t model_device_deadline(void);
CUresult model_alloc(CUdeviceptr *ptr, size_t bytes, uint64_t capacity);
CUresult model_free(CUdeviceptr ptr);

/* driver_stats.c: who called what, when STANDIN_DRIVER_STATS names a file. */
void stats_init(void);
void stats_count(enum driver_func fn, const void *return_address);

/* driver_procaddr.c */
void *procaddr_lookup(const char *symbol, int cuda_version, cuuint64_t flags);

#endif
