/* Time, busy-waiting and configuration shared by both stand-in libraries.
 * Everything here is static: each library gets its own copy and exports
 * none of it. */
#ifndef STANDIN_H
#define STANDIN_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "params.h" /* written by Build from the Go Config defaults */

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Spin, never sleep: a sleeping thread would show up as off-CPU time in the
 * tracer's scheduler events, which a real CUDA call that polls does not. */
static inline void spin_until(uint64_t deadline)
{
	while (now_ns() < deadline) {
#if defined(__x86_64__) || defined(__i386__)
		__asm__ volatile("pause" ::: "memory");
#elif defined(__aarch64__)
		__asm__ volatile("yield" ::: "memory");
#endif
	}
}

static inline void spin_for(uint64_t ns)
{
	if (ns)
		spin_until(now_ns() + ns);
}

static inline uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return def;
	n = strtoull(v, &end, 10);
	return *end ? def : (uint64_t)n;
}

struct standin_config {
#define STANDIN_FIELD(field, env, def) uint64_t field;
	STANDIN_PARAMS(STANDIN_FIELD)
#undef STANDIN_FIELD
};

static inline void config_load(struct standin_config *c)
{
#define STANDIN_LOAD(field, env, def) c->field = env_u64(env, def);
	STANDIN_PARAMS(STANDIN_LOAD)
#undef STANDIN_LOAD
	if (!c->memcpy_bytes_per_sec)
		c->memcpy_bytes_per_sec = 1;
}

static inline uint64_t kernel_ns(const struct standin_config *c, unsigned long long blocks)
{
	return c->kernel_ns + blocks * c->kernel_block_ns;
}

static inline uint64_t transfer_ns(const struct standin_config *c, size_t bytes)
{
	return (uint64_t)((unsigned __int128)bytes * 1000000000ULL / c->memcpy_bytes_per_sec);
}

static inline uint64_t alloc_cost_ns(const struct standin_config *c, size_t bytes)
{
	return c->alloc_ns + (uint64_t)((unsigned __int128)bytes * c->alloc_ns_per_mib >> 20);
}

#endif
