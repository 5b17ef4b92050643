/* STANDIN_DRIVER_STATS=PATH: at exit, the driver writes one JSON line to
 * PATH with every call it received, split by the return address the call
 * found on entry: "runtime" when it lies in a libcudart*, "direct" when it
 * lies in another loaded object, "unknown" when in none. The last happens
 * when a uretprobe on the called function (any tracer's, on this file) has
 * swapped the return address for its trampoline. Tests use it to prove
 * which calls reach the exported entry points, and from where. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"

enum { CALLER_DIRECT, CALLER_RUNTIME, CALLER_UNKNOWN, CALLERS };

static int enabled;
static char path[4096];
static uint64_t counts[DF_COUNT][CALLERS];

void stats_init(void)
{
	const char *p = getenv("STANDIN_DRIVER_STATS");

	if (!p || !*p || strlen(p) >= sizeof(path))
		return;
	strcpy(path, p);
	enabled = 1;
}

static int caller_of(const void *return_address)
{
	Dl_info info;
	const char *base;

	if (!dladdr(return_address, &info) || !info.dli_fname)
		return CALLER_UNKNOWN;
	base = strrchr(info.dli_fname, '/');
	base = base ? base + 1 : info.dli_fname;
	return strncmp(base, "libcudart", 9) == 0 ? CALLER_RUNTIME : CALLER_DIRECT;
}

void stats_count(enum driver_func fn, const void *return_address)
{
	if (!enabled)
		return;
	__atomic_fetch_add(&counts[fn][caller_of(return_address)], 1, __ATOMIC_RELAXED);
}

static void write_group(FILE *f, int caller)
{
	int first = 1;

	for (int fn = 0; fn < DF_COUNT; fn++) {
		uint64_t n = __atomic_load_n(&counts[fn][caller], __ATOMIC_RELAXED);

		if (!n)
			continue;
		fprintf(f, "%s\"%s\":%llu", first ? "" : ",", driver_func_names[fn], (unsigned long long)n);
		first = 0;
	}
}

__attribute__((destructor)) static void stats_write(void)
{
	FILE *f;

	if (!enabled || !(f = fopen(path, "w")))
		return;
	fprintf(f, "{\"pid\":%d,\"runtime\":{", (int)getpid());
	write_group(f, CALLER_RUNTIME);
	fprintf(f, "},\"direct\":{");
	write_group(f, CALLER_DIRECT);
	fprintf(f, "},\"unknown\":{");
	write_group(f, CALLER_UNKNOWN);
	fprintf(f, "}}\n");
	fclose(f);
}
