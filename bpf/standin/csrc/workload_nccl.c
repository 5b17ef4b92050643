/* The nccl-ranks pattern: one rank of a data-parallel job. Each step
 * computes (spins STANDIN_NCCL_STEP_NS, plus STANDIN_NCCL_SLOW_NS on the
 * rank STANDIN_NCCL_SLOW_RANK names: the straggler), launches a kernel and
 * all-reduces 4 MiB of float32 gradients over the communicator that
 * STANDIN_NCCL_ID, STANDIN_NCCL_RANK and STANDIN_NCCL_NRANKS describe. */
#include <dlfcn.h>
#include <stdlib.h>

#include "tools.h"
#include "workload.h"

struct nccl_api nccl;
static void *comm;
static cudaStream_t stream;

void nccl_open(void)
{
	void *lib = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		die("workload: loading libnccl.so.2: %s", dlerror());
#define RESOLVE(name)                                          \
	if (!(*(void **)&nccl.name = dlsym(lib, #name)))       \
		die("workload: finding %s in libnccl.so.2", #name);
	RESOLVE(ncclGetUniqueId)
	RESOLVE(ncclCommInitRank)
	RESOLVE(ncclAllReduce)
	RESOLVE(ncclCommDestroy)
#undef RESOLVE
}

static void teardown(void)
{
	if (comm)
		NCALL(ncclCommDestroy, comm);
}

void nccl_ranks(void)
{
	int rank = (int)env_u64("STANDIN_NCCL_RANK", 0);
	uint64_t step = env_u64("STANDIN_NCCL_STEP_NS", 2000000);

	if (!comm) {
		struct nccl_unique_id id;
		int nranks = (int)env_u64("STANDIN_NCCL_NRANKS", 1);

		MUST(nccl.ncclGetUniqueId(&id));
		MUST(NCALL(ncclCommInitRank, &comm, nranks, id, rank));
		MUST(CALL(cudaStreamCreate, &stream));
		atexit(teardown);
	}
	if ((uint64_t)rank == env_u64("STANDIN_NCCL_SLOW_RANK", ~0ULL))
		step += env_u64("STANDIN_NCCL_SLOW_NS", 0);
	spin_for(step);
	MUST(NCALL(ncclAllReduce, NULL, NULL, 1 << 20, 7 /* float32 */, 0 /* sum */, comm, stream));
	MUST(CALL(cudaStreamSynchronize, stream));
}
