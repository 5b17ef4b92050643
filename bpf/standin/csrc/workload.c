/* workload [--pattern NAME] [--iterations N | --duration D] [--wait-file PATH]
 *          [--ready-file PATH] [--cpu N] [--comm NAME]
 *
 * Setup (dlopen libcuda, cuInit, runtime init through cudaGetLastError)
 * happens first, so both libraries are mapped; then --ready-file is created;
 * then the workload waits for --wait-file, so a tracer can attach in
 * between; then it runs the pattern and prints one JSON line on stdout.
 * With $INGERO_ANNOTATE_SOCKET it annotates each iteration as a step
 * (workload_annotate.c). */
#include "tools.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>

#include "workload.h"

struct direct_driver direct;

static volatile sig_atomic_t stopping;
static uint64_t iterations = 1, deadline_ns, steps;
static pattern_fn pattern;

void must(int rc, const char *what, int line)
{
	if (rc) {
		fprintf(stderr, "workload: line %d: %s returned %d\n", line, what, rc);
		exit(3);
	}
}

void direct_open(void)
{
	void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		die("workload: loading libcuda.so.1: %s", dlerror());
#define RESOLVE(name)                                                 \
	if (!(*(void **)&direct.name = dlsym(lib, #name)))            \
		die("workload: finding %s in libcuda.so.1", #name);
	RESOLVE(cuInit)
	RESOLVE(cuLaunchKernel)
	RESOLVE(cuLaunchKernel_ptsz)
	RESOLVE(cuLaunchKernelEx)
	RESOLVE(cuMemAlloc_v2)
	RESOLVE(cuMemAllocManaged)
	RESOLVE(cuMemFree_v2)
	RESOLVE(cuMemcpy)
	RESOLVE(cuMemcpyAsync)
	RESOLVE(cuMemcpyHtoD_v2)
	RESOLVE(cuMemcpyDtoH_v2)
	RESOLVE(cuMemcpyDtoD_v2)
	RESOLVE(cuMemcpyHtoDAsync_v2)
	RESOLVE(cuMemcpyDtoHAsync_v2)
	RESOLVE(cuMemcpyDtoDAsync_v2)
	RESOLVE(cuStreamSynchronize)
	RESOLVE(cuCtxSynchronize)
	RESOLVE(cuGraphLaunch)
#undef RESOLVE
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Repeats the pattern --iterations times, or until --duration has passed;
 * a SIGTERM or SIGINT ends it after the iteration in progress. */
static void *loop(void *done)
{
	uint64_t n = 0;

	do {
		uint64_t step = __atomic_fetch_add(&steps, 1, __ATOMIC_RELAXED);

		annotate_step_begin(step);
		pattern();
		annotate_step_end(step);
		n++;
	} while (!stopping && (deadline_ns ? now_ns() < deadline_ns : n < iterations));
	__atomic_fetch_add((uint64_t *)done, n, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *name = "basic", *wait_file = NULL, *ready_file = NULL, *v;
	uint64_t duration_ns = 0, done = 0, start;
	int threads = 1;

	for (int i = 1; i < argc; i++) {
		if ((v = flag_value(argc, argv, &i, "--pattern")))
			name = v;
		else if ((v = flag_value(argc, argv, &i, "--iterations")))
			iterations = (uint64_t)parse_int(v);
		else if ((v = flag_value(argc, argv, &i, "--duration")))
			duration_ns = parse_duration(v);
		else if ((v = flag_value(argc, argv, &i, "--wait-file")))
			wait_file = v;
		else if ((v = flag_value(argc, argv, &i, "--ready-file")))
			ready_file = v;
		else if ((v = flag_value(argc, argv, &i, "--cpu")))
			pin_cpu(parse_int(v));
		else if ((v = flag_value(argc, argv, &i, "--comm")))
			set_comm(v);
		else
			die("workload: unknown argument %s", argv[i]);
	}
	if (strcmp(name, "threads") == 0) {
		threads = 2;
		pattern = pattern_lookup("basic");
	} else {
		pattern = pattern_lookup(name);
	}
	if (!pattern)
		die("workload: unknown pattern %s", name);
	if (!iterations)
		die("workload: --iterations must be at least 1%s", "");

	v = getenv("STANDIN_CPU_TIME");
	cpu_clock = v && strcmp(v, "1") == 0;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	annotate_open();
	direct_open();
	if (strncmp(name, "nccl", 4) == 0)
		nccl_open(); /* mapped before --ready-file, so a tracer finds it */
	MUST(DCALL(cuInit, 0));
	MUST(CALL(cudaGetLastError));
	if (ready_file)
		touch(ready_file);
	while (wait_file && !stopping && access(wait_file, F_OK) != 0)
		usleep(1000);

	rec_start();
	start = now_ns();
	if (duration_ns)
		deadline_ns = start + duration_ns;
	if (!stopping && threads == 1) {
		loop(&done);
	} else if (!stopping) {
		pthread_t tid[2];

		for (int t = 0; t < threads; t++)
			if (pthread_create(&tid[t], NULL, loop, &done) != 0)
				die("workload: %s", "starting a thread");
		for (int t = 0; t < threads; t++)
			pthread_join(tid[t], NULL);
	}
	rec_print(stdout, name, done, now_ns() - start);
	return 0;
}
