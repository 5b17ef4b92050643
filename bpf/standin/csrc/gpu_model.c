/* The simulated device: a "busy until" clock per stream, so that a sync
 * waits for the work queued before it, and a table of live allocations, so
 * that pointers are unique, frees are checked and memory can run out. With
 * STANDIN_DEVICE_FILE the device is shared with other processes, and all
 * work on it runs one piece at a time (device_file.h). */
#include <pthread.h>

#include "device_file.h"
#include "driver.h"

#define STREAM_SLOTS 1024
#define ALLOC_BUCKETS 4096
/* Where fake device pointers start, like a real UVA device heap. */
#define DEVICE_HEAP_BASE 0x7f0000000000ULL
#define DEVICE_PAGE 0x200000ULL

struct stream_slot {
	CUstream handle;
	uint64_t busy_until;
	int used;
};

struct allocation {
	CUdeviceptr ptr;
	size_t bytes;
	struct allocation *next;
};

static pthread_mutex_t model_mu = PTHREAD_MUTEX_INITIALIZER;
static struct stream_slot streams[STREAM_SLOTS];
/* When the table is full, streams share this slot: syncs then wait for
 * more than they must, never for less. */
static struct stream_slot overflow;
static uint64_t device_busy_until;
/* Set once, before any work is queued; NULL keeps the device private. */
static struct device_file *shared_device;

static struct allocation *buckets[ALLOC_BUCKETS];
static uint64_t live_bytes;
static CUdeviceptr next_ptr = DEVICE_HEAP_BASE;

static struct stream_slot *slot_for(CUstream stream)
{
	uintptr_t h = (uintptr_t)stream;
	size_t i = (size_t)((h >> 4) ^ (h >> 16)) % STREAM_SLOTS;

	for (size_t n = 0; n < STREAM_SLOTS; n++, i = (i + 1) % STREAM_SLOTS) {
		if (streams[i].used && streams[i].handle == stream)
			return &streams[i];
		if (!streams[i].used) {
			streams[i].used = 1;
			streams[i].handle = stream;
			return &streams[i];
		}
	}
	return &overflow;
}

void model_init(void)
{
	const char *path = getenv(DEVICE_FILE_ENV);

	if (path && *path)
		shared_device = device_file_open(path);
}

int model_shared(void)
{
	return shared_device != NULL;
}

/* When work that could start at ready and takes ns ends. A private device
 * runs streams side by side; a shared one runs one piece of work at a
 * time, in the order it was queued by all its processes. */
static uint64_t occupy(uint64_t ready, uint64_t ns)
{
	return shared_device ? device_file_claim(shared_device, ready, ns) : ready + ns;
}

void model_enqueue(CUstream stream, uint64_t ns)
{
	uint64_t now = now_ns();
	struct stream_slot *s;

	pthread_mutex_lock(&model_mu);
	s = slot_for(stream);
	s->busy_until = occupy(s->busy_until > now ? s->busy_until : now, ns);
	if (s->busy_until > device_busy_until)
		device_busy_until = s->busy_until;
	pthread_mutex_unlock(&model_mu);
}

uint64_t model_stream_deadline(CUstream stream)
{
	uint64_t t;

	pthread_mutex_lock(&model_mu);
	t = slot_for(stream)->busy_until;
	pthread_mutex_unlock(&model_mu);
	return t;
}

uint64_t model_device_deadline(void)
{
	uint64_t t;

	pthread_mutex_lock(&model_mu);
	t = device_busy_until;
	pthread_mutex_unlock(&model_mu);
	return t;
}

uint64_t model_occupy_device(uint64_t ns)
{
	uint64_t now = now_ns(), end;

	pthread_mutex_lock(&model_mu);
	end = occupy(device_busy_until > now ? device_busy_until : now, ns);
	device_busy_until = end;
	pthread_mutex_unlock(&model_mu);
	return end;
}

static size_t bucket_of(CUdeviceptr ptr)
{
	return (size_t)(ptr / DEVICE_PAGE) % ALLOC_BUCKETS;
}

CUresult model_alloc(CUdeviceptr *ptr, size_t bytes, uint64_t capacity)
{
	struct allocation *a;

	if (!ptr || !bytes)
		return CUDA_ERROR_INVALID_VALUE;
	a = malloc(sizeof(*a));
	if (!a)
		return CUDA_ERROR_OUT_OF_MEMORY;
	pthread_mutex_lock(&model_mu);
	if (bytes > capacity || live_bytes > capacity - bytes) {
		pthread_mutex_unlock(&model_mu);
		free(a);
		return CUDA_ERROR_OUT_OF_MEMORY;
	}
	a->ptr = next_ptr;
	a->bytes = bytes;
	/* Page-aligned, never reused: every pointer names one allocation. */
	next_ptr += (bytes + DEVICE_PAGE - 1) / DEVICE_PAGE * DEVICE_PAGE;
	live_bytes += bytes;
	a->next = buckets[bucket_of(a->ptr)];
	buckets[bucket_of(a->ptr)] = a;
	pthread_mutex_unlock(&model_mu);
	*ptr = a->ptr;
	return CUDA_SUCCESS;
}

CUresult model_free(CUdeviceptr ptr)
{
	struct allocation **pp, *a = NULL;

	pthread_mutex_lock(&model_mu);
	for (pp = &buckets[bucket_of(ptr)]; *pp; pp = &(*pp)->next) {
		if ((*pp)->ptr == ptr) {
			a = *pp;
			*pp = a->next;
			live_bytes -= a->bytes;
			break;
		}
	}
	pthread_mutex_unlock(&model_mu);
	if (!a)
		return CUDA_ERROR_INVALID_VALUE;
	free(a);
	return CUDA_SUCCESS;
}
