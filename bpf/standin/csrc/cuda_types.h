/* The subset of the CUDA headers the stand-ins need, as plain C with the
 * real layouts and values, so that probes written against the real ABI read
 * the same registers and offsets here. */
#ifndef STANDIN_CUDA_TYPES_H
#define STANDIN_CUDA_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef int CUresult;
typedef int cudaError_t;
typedef unsigned long long CUdeviceptr;
typedef unsigned long long cuuint64_t;
typedef void *CUstream;
typedef void *CUfunction;
typedef void *cudaStream_t;
typedef void *cudaEvent_t;
typedef void *cudaGraph_t;
typedef void *cudaGraphExec_t;

/* 12 bytes of INTEGER class: passed by value in two registers on x86-64. */
typedef struct {
	unsigned int x, y, z;
} dim3;

typedef struct {
	char bytes[16];
} CUuuid;

typedef struct {
	unsigned int id;
	char pad[4];
	char value[64];
} CUlaunchAttribute;

/* hStream sits at offset 32, after seven unsigned ints and 4 bytes of
 * padding, exactly as in cuda.h. */
typedef struct {
	unsigned int gridDimX, gridDimY, gridDimZ;
	unsigned int blockDimX, blockDimY, blockDimZ;
	unsigned int sharedMemBytes;
	CUstream hStream;
	CUlaunchAttribute *attrs;
	unsigned int numAttrs;
} CUlaunchConfig;

enum {
	CUDA_SUCCESS = 0,
	CUDA_ERROR_INVALID_VALUE = 1,
	CUDA_ERROR_OUT_OF_MEMORY = 2,
	CUDA_ERROR_NOT_INITIALIZED = 3,
	CUDA_ERROR_NOT_FOUND = 500,
};

enum {
	cudaSuccess = 0,
	cudaErrorInvalidValue = 1,
	cudaErrorMemoryAllocation = 2,
	cudaErrorInvalidMemcpyDirection = 21,
	cudaErrorInsufficientDriver = 35,
	cudaErrorIllegalState = 401,
	cudaErrorStreamCaptureUnsupported = 900,
};

enum cudaMemcpyKind {
	cudaMemcpyHostToHost = 0,
	cudaMemcpyHostToDevice = 1,
	cudaMemcpyDeviceToHost = 2,
	cudaMemcpyDeviceToDevice = 3,
	cudaMemcpyDefault = 4,
};

#define CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM 2ULL
#define CU_GET_PROC_ADDRESS_SUCCESS 0
#define CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND 1

/* What libcudart asks the driver for at init; a real CUDA 12.8 runtime
 * passes its own version the same way. */
#define STANDIN_CUDA_VERSION 12080

/* The private interface the runtime reaches through cuGetExportTable, as the
 * real runtime does for its hidden driver entry points. Nothing in it is an
 * exported symbol, so no probe on libcuda sees these calls: they model a
 * stack where a runtime call has no traced driver call below it. */
struct standin_private {
	size_t size;
	CUresult (*launch)(CUstream stream, unsigned long long blocks);
	CUresult (*alloc)(CUdeviceptr *ptr, size_t bytes);
	CUresult (*free)(CUdeviceptr ptr);
	CUresult (*copy)(size_t bytes);
	CUresult (*copy_async)(size_t bytes, CUstream stream);
	CUresult (*stream_sync)(CUstream stream);
	CUresult (*ctx_sync)(void);
	void (*enqueue)(CUstream stream, uint64_t ns);
	uint64_t (*stream_deadline)(CUstream stream);
};

/* A graph and its executable share this shape in both libraries, so that
 * the driver's cuGraphLaunch runs an exec the runtime instantiated. */
#define STANDIN_GRAPH_MAGIC 0x4752415048535421ULL /* "GRAPHST!" */
struct standin_graph {
	uint64_t magic;
	uint64_t nodes, node_ns;
};

enum {
	cudaErrorStreamCaptureInvalidated = 901,
	cudaStreamCaptureModeGlobal = 0,
	cudaStreamCaptureModeRelaxed = 2,
};

#define STANDIN_PRIVATE_UUID "ingero-standin-1"

#endif
