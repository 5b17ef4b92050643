/* How the stand-in runtime finds the driver, as CUDA 12/13 runtimes do:
 * dlopen("libcuda.so.1"), dlsym one symbol (cuGetProcAddress_v2), then ask it
 * for every other entry point by base name. Driver calls from libcudart are
 * therefore indirect calls through these pointers: a uprobe on the driver
 * export sees them, an LD_PRELOAD shim or a PLT hook does not. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

typedef CUresult (*getproc_fn)(const char *, void **, int, cuuint64_t, int *);

struct driver drv;
const struct standin_private *priv;
struct standin_config rcfg;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static cudaError_t init_error;
static __thread cudaError_t last_error;

struct wanted {
	const char *name;
	cuuint64_t flags;
	void **slot;
};

#define SLOT(field) ((void **)&drv.field)

static const struct wanted wanted[] = {
	{"cuInit", 0, SLOT(cuInit)},
	{"cuGetExportTable", 0, SLOT(cuGetExportTable)},
	{"cuLaunchKernel", 0, SLOT(cuLaunchKernel)},
	{"cuLaunchKernel", CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, SLOT(cuLaunchKernel_ptsz)},
	{"cuMemAlloc", 0, SLOT(cuMemAlloc)},
	{"cuMemAllocManaged", 0, SLOT(cuMemAllocManaged)},
	{"cuMemFree", 0, SLOT(cuMemFree)},
	{"cuMemcpy", 0, SLOT(cuMemcpy)},
	{"cuMemcpyAsync", 0, SLOT(cuMemcpyAsync)},
	{"cuMemcpyHtoD", 0, SLOT(cuMemcpyHtoD)},
	{"cuMemcpyDtoH", 0, SLOT(cuMemcpyDtoH)},
	{"cuMemcpyDtoD", 0, SLOT(cuMemcpyDtoD)},
	{"cuMemcpyHtoDAsync", 0, SLOT(cuMemcpyHtoDAsync)},
	{"cuMemcpyDtoHAsync", 0, SLOT(cuMemcpyDtoHAsync)},
	{"cuMemcpyDtoDAsync", 0, SLOT(cuMemcpyDtoDAsync)},
	{"cuStreamSynchronize", 0, SLOT(cuStreamSynchronize)},
	{"cuCtxSynchronize", 0, SLOT(cuCtxSynchronize)},
	{"cuGraphLaunch", 0, SLOT(cuGraphLaunch)},
};

static cudaError_t fail(const char *what, const char *detail)
{
	fprintf(stderr, "libcudart stand-in: %s: %s\n", what, detail ? detail : "unknown error");
	return cudaErrorInsufficientDriver;
}

static cudaError_t load_driver(void)
{
	void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	getproc_fn getproc;
	CUuuid id;
	size_t i;

	if (!lib)
		return fail("loading libcuda.so.1", dlerror());
	getproc = (getproc_fn)dlsym(lib, "cuGetProcAddress_v2");
	if (!getproc)
		return fail("finding cuGetProcAddress_v2", dlerror());
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		int status = 0;

		if (getproc(wanted[i].name, wanted[i].slot, STANDIN_CUDA_VERSION, wanted[i].flags, &status) ||
		    !*wanted[i].slot)
			return fail("resolving driver entry point", wanted[i].name);
	}
	if (drv.cuInit(0))
		return fail("initializing the driver", "cuInit failed");
	memcpy(id.bytes, STANDIN_PRIVATE_UUID, sizeof(id.bytes));
	if (drv.cuGetExportTable((const void **)&priv, &id) || !priv)
		return fail("getting the private driver table", "cuGetExportTable failed");
	return cudaSuccess;
}

static void rt_init(void)
{
	config_load(&rcfg);
	init_error = load_driver();
}

cudaError_t rt_enter(void)
{
	pthread_once(&init_once, rt_init);
	return init_error ? rt_result(init_error) : cudaSuccess;
}

cudaError_t rt_result(cudaError_t rc)
{
	if (rc)
		last_error = rc;
	return rc;
}

cudaError_t rt_take_last_error(void)
{
	cudaError_t rc = last_error;

	last_error = cudaSuccess;
	return rc;
}

void rt_overhead(void)
{
	spin_for(rcfg.runtime_ns / 2);
}
