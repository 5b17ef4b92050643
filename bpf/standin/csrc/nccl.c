/* Stand-in libnccl.so.2: communicator setup, collectives and point-to-point
 * with NCCL's real names and C signatures. The ranks are processes on one
 * host: the ncclUniqueId carries the path of a shared-memory file in which
 * they count arrivals, and every collective busy-waits until all ranks of
 * its round have arrived, then for the transfer time of a ring algorithm.
 * A rank that comes late thus holds the others in the call, as in NCCL. */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "standin.h"

#define API __attribute__((visibility("default"), noinline))

typedef struct {
	char internal[128];
} ncclUniqueId;

typedef enum { ncclSuccess = 0, ncclSystemError = 2, ncclInternalError = 3, ncclInvalidArgument = 4 } ncclResult_t;

struct shm {
	_Atomic uint64_t arrivals;
	_Atomic uint32_t joined, left;
};

struct ncclComm {
	int rank, nranks;
	uint64_t seq;
	struct shm *shm;
	char path[128];
};
typedef struct ncclComm *ncclComm_t;

static struct standin_config cfg;
static int cfg_loaded;

/* A rank that never comes must not hang a test for ever. */
#define WAIT_LIMIT_NS (120 * 1000000000ULL)

static void load(void)
{
	if (!__atomic_exchange_n(&cfg_loaded, 1, __ATOMIC_ACQ_REL))
		config_load(&cfg);
}

static int wait_for(_Atomic uint64_t *v, uint64_t want)
{
	uint64_t limit = now_ns() + WAIT_LIMIT_NS;

	while (atomic_load(v) < want) {
		if (now_ns() > limit)
			return -1;
		__asm__ volatile("pause" ::: "memory");
	}
	return 0;
}

static size_t type_size(int dt)
{
	static const size_t sizes[] = {1, 1, 4, 4, 8, 8, 2, 4, 8, 2, 1, 1};

	return dt >= 0 && dt < 12 ? sizes[dt] : 1;
}

API ncclResult_t ncclGetVersion(int *version)
{
	*version = 22005;
	return ncclSuccess;
}

/* The id names a shared-memory file; $STANDIN_NCCL_ID chooses it, so that
 * separately started ranks agree, as a real job's rendezvous would. */
API ncclResult_t ncclGetUniqueId(ncclUniqueId *id)
{
	const char *env = getenv("STANDIN_NCCL_ID");

	memset(id, 0, sizeof(*id));
	if (env && *env)
		snprintf(id->internal, sizeof(id->internal), "/dev/shm/ingero-nccl-%s", env);
	else
		snprintf(id->internal, sizeof(id->internal), "/dev/shm/ingero-nccl-%d-%llu", getpid(),
			 (unsigned long long)now_ns());
	return ncclSuccess;
}

API ncclResult_t ncclCommInitRank(ncclComm_t *comm, int nranks, ncclUniqueId commId, int rank)
{
	struct ncclComm *c;
	int fd;

	load();
	if (!comm || nranks < 1 || rank < 0 || rank >= nranks || !commId.internal[0])
		return ncclInvalidArgument;
	if (!(c = calloc(1, sizeof(*c))))
		return ncclSystemError;
	c->rank = rank;
	c->nranks = nranks;
	memcpy(c->path, commId.internal, sizeof(c->path) - 1);
	fd = open(c->path, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, 4096) != 0) {
		free(c);
		return ncclSystemError;
	}
	c->shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (c->shm == MAP_FAILED) {
		free(c);
		return ncclSystemError;
	}
	/* Setup is collective: every rank waits for the others to join. */
	atomic_fetch_add(&c->shm->joined, 1);
	uint64_t limit = now_ns() + WAIT_LIMIT_NS;
	while (atomic_load(&c->shm->joined) < (uint32_t)nranks)
		if (now_ns() > limit)
			return ncclInternalError;
	*comm = c;
	return ncclSuccess;
}

API ncclResult_t ncclCommDestroy(ncclComm_t comm)
{
	if (!comm)
		return ncclInvalidArgument;
	if (atomic_fetch_add(&comm->shm->left, 1) + 1 == (uint32_t)comm->nranks)
		unlink(comm->path);
	munmap(comm->shm, 4096);
	free(comm);
	return ncclSuccess;
}

/* One round: arrive, wait for every rank, then move the bytes (a ring
 * sends 2(n-1)/n of the buffer per rank for an all-reduce). */
static ncclResult_t round_trip(ncclComm_t comm, size_t bytes, unsigned factor)
{
	if (!comm)
		return ncclInvalidArgument;
	uint64_t want = (comm->seq + 1) * (uint64_t)comm->nranks;

	comm->seq++;
	atomic_fetch_add(&comm->shm->arrivals, 1);
	if (wait_for(&comm->shm->arrivals, want))
		return ncclInternalError;
	spin_for(transfer_ns(&cfg, bytes * factor * (comm->nranks - 1) / comm->nranks));
	return ncclSuccess;
}

API ncclResult_t ncclAllReduce(const void *sendbuff, void *recvbuff, size_t count, int datatype, int op,
			       ncclComm_t comm, void *stream)
{
	(void)sendbuff, (void)recvbuff, (void)op, (void)stream;
	return round_trip(comm, count * type_size(datatype), 2);
}

API ncclResult_t ncclAllGather(const void *sendbuff, void *recvbuff, size_t sendcount, int datatype,
			       ncclComm_t comm, void *stream)
{
	(void)sendbuff, (void)recvbuff, (void)stream;
	return round_trip(comm, sendcount * type_size(datatype) * (comm ? comm->nranks : 1), 1);
}

API ncclResult_t ncclReduceScatter(const void *sendbuff, void *recvbuff, size_t recvcount, int datatype, int op,
				   ncclComm_t comm, void *stream)
{
	(void)sendbuff, (void)recvbuff, (void)op, (void)stream;
	return round_trip(comm, recvcount * type_size(datatype) * (comm ? comm->nranks : 1), 1);
}

API ncclResult_t ncclBroadcast(const void *sendbuff, void *recvbuff, size_t count, int datatype, int root,
			       ncclComm_t comm, void *stream)
{
	(void)sendbuff, (void)recvbuff, (void)root, (void)stream;
	return round_trip(comm, count * type_size(datatype), 1);
}

/* Point-to-point pairs are not matched here: each side spends its
 * transfer time. */
API ncclResult_t ncclSend(const void *sendbuff, size_t count, int datatype, int peer, ncclComm_t comm, void *stream)
{
	(void)sendbuff, (void)peer, (void)stream;
	if (!comm)
		return ncclInvalidArgument;
	spin_for(transfer_ns(&cfg, count * type_size(datatype)));
	return ncclSuccess;
}

API ncclResult_t ncclRecv(void *recvbuff, size_t count, int datatype, int peer, ncclComm_t comm, void *stream)
{
	(void)recvbuff, (void)peer, (void)stream;
	if (!comm)
		return ncclInvalidArgument;
	spin_for(transfer_ns(&cfg, count * type_size(datatype)));
	return ncclSuccess;
}
