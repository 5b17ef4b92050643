/* The test workload: runs a known pattern of CUDA calls and reports exactly
 * what it called, so a tracer's recorded counts can be checked against it. */
#ifndef STANDIN_WORKLOAD_H
#define STANDIN_WORKLOAD_H

#include <stdio.h>

#include "cuda_types.h"
#include "standin.h"

/* The runtime API, linked against libcudart.so.12. */
cudaError_t cudaMalloc(void **devPtr, size_t size);
cudaError_t cudaMallocManaged(void **devPtr, size_t size, unsigned int flags);
cudaError_t cudaMallocHost(void **ptr, size_t size);
cudaError_t cudaFree(void *devPtr);
cudaError_t cudaFreeHost(void *ptr);
cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args, size_t sharedMem,
			     cudaStream_t stream);
cudaError_t cudaLaunchKernel_ptsz(const void *func, dim3 gridDim, dim3 blockDim, void **args, size_t sharedMem,
				  cudaStream_t stream);
cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind,
			    cudaStream_t stream);
cudaError_t cudaMemcpy2D(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width, size_t height,
			 enum cudaMemcpyKind kind);
cudaError_t cudaMemcpy2DAsync(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
			      size_t height, enum cudaMemcpyKind kind, cudaStream_t stream);
cudaError_t cudaMemcpyPeer(void *dst, int dstDevice, const void *src, int srcDevice, size_t count);
cudaError_t cudaMemcpyPeerAsync(void *dst, int dstDevice, const void *src, int srcDevice, size_t count,
				cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaDeviceSynchronize(void);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaGetLastError(void);
cudaError_t cudaStreamCreate(cudaStream_t *pStream);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaEventCreate(cudaEvent_t *event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaStreamBeginCapture(cudaStream_t stream, int mode);
cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph);
cudaError_t cudaGraphInstantiate(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags);
cudaError_t cudaGraphInstantiateWithFlags(cudaGraphExec_t *pGraphExec, cudaGraph_t graph, unsigned long long flags);
cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream);
cudaError_t cudaGraphDestroy(cudaGraph_t graph);
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec);

typedef CUresult (*launch_fn)(CUfunction, unsigned int, unsigned int, unsigned int, unsigned int, unsigned int,
			      unsigned int, unsigned int, CUstream, void **, void **);

/* The driver functions the workload calls itself, the way cuBLAS does:
 * through addresses from a dlopen'ed libcuda, not through libcudart. */
struct direct_driver {
	CUresult (*cuInit)(unsigned int);
	launch_fn cuLaunchKernel;
	launch_fn cuLaunchKernel_ptsz;
	CUresult (*cuLaunchKernelEx)(const CUlaunchConfig *, CUfunction, void **, void **);
	CUresult (*cuMemAlloc_v2)(CUdeviceptr *, size_t);
	CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned int);
	CUresult (*cuMemFree_v2)(CUdeviceptr);
	CUresult (*cuMemcpy)(CUdeviceptr, CUdeviceptr, size_t);
	CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
	CUresult (*cuMemcpyHtoD_v2)(CUdeviceptr, const void *, size_t);
	CUresult (*cuMemcpyDtoH_v2)(void *, CUdeviceptr, size_t);
	CUresult (*cuMemcpyDtoD_v2)(CUdeviceptr, CUdeviceptr, size_t);
	CUresult (*cuMemcpyHtoDAsync_v2)(CUdeviceptr, const void *, size_t, CUstream);
	CUresult (*cuMemcpyDtoHAsync_v2)(void *, CUdeviceptr, size_t, CUstream);
	CUresult (*cuMemcpyDtoDAsync_v2)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
	CUresult (*cuStreamSynchronize)(CUstream);
	CUresult (*cuCtxSynchronize)(void);
	CUresult (*cuGraphLaunch)(cudaGraphExec_t, CUstream);
};

extern struct direct_driver direct;
void direct_open(void);

/* libnccl.so.2, dlopen'ed by the nccl-ranks pattern (workload_nccl.c). */
struct nccl_unique_id {
	char internal[128];
};
struct nccl_api {
	int (*ncclGetUniqueId)(struct nccl_unique_id *);
	int (*ncclCommInitRank)(void **, int, struct nccl_unique_id, int);
	int (*ncclAllReduce)(const void *, void *, size_t, int, int, void *, void *);
	int (*ncclCommDestroy)(void *);
};
extern struct nccl_api nccl;
void nccl_open(void);
void nccl_ranks(void);

#define WORKLOAD_FUNCS(X)          \
	X(cudaMalloc)              \
	X(cudaMallocManaged)       \
	X(cudaMallocHost)          \
	X(cudaFree)                \
	X(cudaFreeHost)            \
	X(cudaLaunchKernel)        \
	X(cudaLaunchKernel_ptsz)   \
	X(cudaMemcpy)              \
	X(cudaMemcpyAsync)         \
	X(cudaMemcpy2D)            \
	X(cudaMemcpy2DAsync)       \
	X(cudaMemcpyPeer)          \
	X(cudaMemcpyPeerAsync)     \
	X(cudaStreamSynchronize)   \
	X(cudaDeviceSynchronize)   \
	X(cudaEventSynchronize)    \
	X(cudaGetLastError)        \
	X(cudaStreamCreate)        \
	X(cudaStreamDestroy)       \
	X(cudaEventCreate)         \
	X(cudaEventRecord)         \
	X(cudaEventDestroy)        \
	X(cudaStreamBeginCapture)  \
	X(cudaStreamEndCapture)    \
	X(cudaGraphInstantiate)    \
	X(cudaGraphInstantiateWithFlags) \
	X(cudaGraphLaunch)         \
	X(cudaGraphDestroy)        \
	X(cudaGraphExecDestroy)    \
	X(cuInit)                  \
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
	X(cuGraphLaunch)           \
	X(ncclCommInitRank)        \
	X(ncclAllReduce)           \
	X(ncclCommDestroy)

enum fn {
#define FN_ENUM(name) FN_##name,
	WORKLOAD_FUNCS(FN_ENUM)
#undef FN_ENUM
	FN_COUNT
};

/* record.c */
void rec_call(enum fn fn, uint64_t ns, uint64_t cpu_ns, int rc);
void rec_bytes(enum fn fn, size_t bytes);
void rec_kind_bytes(enum fn fn, enum cudaMemcpyKind kind, size_t bytes);
/* workload_annotate.c: steps and request spans sent to ingero trace. */
void annotate_open(void);
void annotate_step_begin(uint64_t step);
void annotate_step_end(uint64_t step);

void rec_start(void);
void rec_print(FILE *out, const char *pattern, uint64_t iterations, uint64_t elapsed_ns);

/* STANDIN_CPU_TIME=1: also time each call on the thread's CPU clock. Off
 * by default, because reading that clock is a system call, and the kernel
 * brings the thread's runtime up to date in it: a thread whose slice ran
 * out is preempted right there, after the call, instead of at the next
 * tick, wherever that falls (inside a spinning sync, usually). A workload
 * that counts its CPU time is thus scheduled unlike a real CUDA program;
 * only the tests that compare clocks turn it on. */
extern int cpu_clock;

static inline uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (!cpu_clock)
		return 0;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Time one call and count it: wall time, and the thread's CPU time inside
 * the wall window (a preemption outside a tracer's probe window shows in
 * the first, never in the second). CALL is a runtime call, DCALL a direct
 * driver call; both count under the function's exported name. */
#define CALL(name, ...)                                                         \
	({                                                                      \
		uint64_t t0_ = now_ns(), c0_ = thread_cpu_ns();                 \
		int rc_ = name(__VA_ARGS__);                                    \
		uint64_t c1_ = thread_cpu_ns();                                 \
		rec_call(FN_##name, now_ns() - t0_, c1_ - c0_, rc_);            \
		rc_;                                                            \
	})
#define DCALL(name, ...)                                                        \
	({                                                                      \
		uint64_t t0_ = now_ns(), c0_ = thread_cpu_ns();                 \
		int rc_ = direct.name(__VA_ARGS__);                             \
		uint64_t c1_ = thread_cpu_ns();                                 \
		rec_call(FN_##name, now_ns() - t0_, c1_ - c0_, rc_);            \
		rc_;                                                            \
	})

#define NCALL(name, ...)                                                        \
	({                                                                      \
		uint64_t t0_ = now_ns(), c0_ = thread_cpu_ns();                 \
		int rc_ = nccl.name(__VA_ARGS__);                               \
		uint64_t c1_ = thread_cpu_ns();                                 \
		rec_call(FN_##name, now_ns() - t0_, c1_ - c0_, rc_);            \
		rc_;                                                            \
	})

void must(int rc, const char *what, int line);
#define MUST(expr) must((expr), #expr, __LINE__)

/* patterns.c: one iteration of a pattern, on the calling thread. */
typedef void (*pattern_fn)(void);
pattern_fn pattern_lookup(const char *name);

#endif
