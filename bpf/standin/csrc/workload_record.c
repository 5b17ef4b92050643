/* The workload's own account of its calls, printed as one JSON line. Calls
 * made before the start signal (setup, before a tracer attaches) are kept
 * apart in "setup_calls". */
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"

#define MAX_TIDS 64

static const char *const fn_names[FN_COUNT] = {
#define FN_NAME(name) #name,
	WORKLOAD_FUNCS(FN_NAME)
#undef FN_NAME
};

static const char *const kind_names[] = {"HostToHost", "HostToDevice", "DeviceToHost", "DeviceToDevice",
					 "Default"};

int cpu_clock;
static int started;
static uint64_t calls[FN_COUNT], errors[FN_COUNT], busy[FN_COUNT], cpu[FN_COUNT], bytes[FN_COUNT], setup_calls[FN_COUNT];
static uint64_t kind_bytes[FN_COUNT][5];

static pthread_mutex_t tids_mu = PTHREAD_MUTEX_INITIALIZER;
static int tids[MAX_TIDS], ntids;
static __thread int tid_seen;

static void add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static void note_thread(void)
{
	if (tid_seen)
		return;
	tid_seen = 1;
	pthread_mutex_lock(&tids_mu);
	if (ntids < MAX_TIDS)
		tids[ntids++] = (int)syscall(SYS_gettid);
	pthread_mutex_unlock(&tids_mu);
}

void rec_start(void)
{
	__atomic_store_n(&started, 1, __ATOMIC_RELEASE);
}

void rec_call(enum fn fn, uint64_t ns, uint64_t cpu_ns, int rc)
{
	if (!__atomic_load_n(&started, __ATOMIC_ACQUIRE)) {
		add(&setup_calls[fn], 1);
		return;
	}
	note_thread();
	add(&calls[fn], 1);
	add(&busy[fn], ns);
	add(&cpu[fn], cpu_ns);
	if (rc)
		add(&errors[fn], 1);
}

void rec_bytes(enum fn fn, size_t n)
{
	add(&bytes[fn], n);
}

void rec_kind_bytes(enum fn fn, enum cudaMemcpyKind kind, size_t n)
{
	add(&bytes[fn], n);
	if ((unsigned int)kind <= cudaMemcpyDefault)
		add(&kind_bytes[fn][kind], n);
}

static void print_map(FILE *out, const char *key, const uint64_t *values)
{
	int first = 1;

	fprintf(out, ",\"%s\":{", key);
	for (int i = 0; i < FN_COUNT; i++) {
		if (!values[i])
			continue;
		fprintf(out, "%s\"%s\":%llu", first ? "" : ",", fn_names[i], (unsigned long long)values[i]);
		first = 0;
	}
	fputc('}', out);
}

static void print_kind_bytes(FILE *out)
{
	int first = 1;

	fputs(",\"bytes_by_kind\":{", out);
	for (int i = 0; i < FN_COUNT; i++) {
		for (int k = 0; k <= cudaMemcpyDefault; k++) {
			if (!kind_bytes[i][k])
				continue;
			fprintf(out, "%s\"%s:%s\":%llu", first ? "" : ",", fn_names[i], kind_names[k],
				(unsigned long long)kind_bytes[i][k]);
			first = 0;
		}
	}
	fputc('}', out);
}

void rec_print(FILE *out, const char *pattern, uint64_t iterations, uint64_t elapsed_ns)
{
	struct standin_config cfg;

	config_load(&cfg);
	fprintf(out, "{\"pid\":%d,\"tids\":[", (int)getpid());
	pthread_mutex_lock(&tids_mu);
	for (int i = 0; i < ntids; i++)
		fprintf(out, "%s%d", i ? "," : "", tids[i]);
	pthread_mutex_unlock(&tids_mu);
	fprintf(out, "],\"pattern\":\"%s\",\"iterations\":%llu,\"elapsed_ns\":%llu,\"runtime_only\":%s", pattern,
		(unsigned long long)iterations, (unsigned long long)elapsed_ns, cfg.runtime_only ? "true" : "false");
	print_map(out, "calls", calls);
	print_map(out, "errors", errors);
	print_map(out, "busy_ns", busy);
	print_map(out, "cpu_ns", cpu);
	print_map(out, "bytes", bytes);
	print_kind_bytes(out);
	print_map(out, "setup_calls", setup_calls);
	fputs("}\n", out);
	fflush(out);
}
