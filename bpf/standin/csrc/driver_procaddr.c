/* cuGetProcAddress: how CUDA 12+ runtimes and libraries reach the driver.
 * They ask by base name ("cuMemAlloc") plus a CUDA version and flags, and get
 * the address of the versioned export ("cuMemAlloc_v2"), or of its _ptsz
 * twin when they build with per-thread default streams. The addresses are
 * those of the exported symbols, so a uprobe on the symbol sees the call. */
#include <string.h>

#include "driver.h"

/* Unprototyped: only the addresses are taken here. */
#define DECLARE(name) CUresult name();
DRIVER_FUNCS(DECLARE)
#undef DECLARE

const char *const driver_func_names[DF_COUNT] = {
#define NAME(name) #name,
	DRIVER_FUNCS(NAME)
#undef NAME
};

static void *const driver_func_addrs[DF_COUNT] = {
#define ADDR(name) (void *)name,
	DRIVER_FUNCS(ADDR)
#undef ADDR
};

struct versioned {
	const char *base;
	int since;             /* CUDA version that introduced the export below */
	enum driver_func fn;   /* what a caller gets from that version on */
	enum driver_func ptsz; /* with CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM */
};

static const struct versioned versioned[] = {
	{"cuGetProcAddress", 12000, DF_cuGetProcAddress_v2, DF_cuGetProcAddress_v2},
	{"cuLaunchKernel", 4000, DF_cuLaunchKernel, DF_cuLaunchKernel_ptsz},
	{"cuMemAlloc", 3020, DF_cuMemAlloc_v2, DF_cuMemAlloc_v2},
	{"cuMemFree", 3020, DF_cuMemFree_v2, DF_cuMemFree_v2},
	{"cuMemcpyHtoD", 3020, DF_cuMemcpyHtoD_v2, DF_cuMemcpyHtoD_v2},
	{"cuMemcpyDtoH", 3020, DF_cuMemcpyDtoH_v2, DF_cuMemcpyDtoH_v2},
	{"cuMemcpyDtoD", 3020, DF_cuMemcpyDtoD_v2, DF_cuMemcpyDtoD_v2},
	{"cuMemcpyHtoDAsync", 3020, DF_cuMemcpyHtoDAsync_v2, DF_cuMemcpyHtoDAsync_v2},
	{"cuMemcpyDtoHAsync", 3020, DF_cuMemcpyDtoHAsync_v2, DF_cuMemcpyDtoHAsync_v2},
	{"cuMemcpyDtoDAsync", 3020, DF_cuMemcpyDtoDAsync_v2, DF_cuMemcpyDtoDAsync_v2},
};

void *procaddr_lookup(const char *symbol, int cuda_version, cuuint64_t flags)
{
	size_t i;

	for (i = 0; i < sizeof(versioned) / sizeof(versioned[0]); i++) {
		if (strcmp(versioned[i].base, symbol) != 0)
			continue;
		if (cuda_version < versioned[i].since)
			break; /* only an unversioned export can answer */
		if (flags & CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM)
			return driver_func_addrs[versioned[i].ptsz];
		return driver_func_addrs[versioned[i].fn];
	}
	/* Unversioned entry points, and exact export names. */
	for (i = 0; i < DF_COUNT; i++)
		if (strcmp(driver_func_names[i], symbol) == 0)
			return driver_func_addrs[i];
	return NULL;
}
