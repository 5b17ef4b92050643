/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* What every probe family shares: the record header, the maps that user
 * space and all families see as one (targets, counters, config), and the
 * one way to emit a record. User space creates the shared maps once and
 * hands them to every family's collection, so a PID enrolled by the host
 * family's fork probe is traced by the CUDA family at once. */
#ifndef INGERO_H
#define INGERO_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "ops.h"

#define SRC_MAX 16

/* rec_hdr.flags */
#define REC_ENTRY_ONLY 0x1 /* no return probe ran: no duration, no return code */
#define REC_VIA_DRIVER 0x2 /* runtime launch seen at the driver entry, attributed by its caller */
#define REC_SAMPLED 0x4 /* recorded under 1-in-N sampling */

struct rec_hdr {
	__u64 ktime_ns; /* CLOCK_MONOTONIC; the start of the call or interval */
	__u64 cgroup_id;
	__u32 pid; /* thread-group id */
	__u32 tid;
	__u8 source;
	__u8 op;
	__u16 flags;
	__u32 cpu;
	char comm[16];
};

/* target.flags */
#define TARGET_RETPROBES 0x1 /* return probes may fire here: its seccomp filter allows uretprobe */
#define TARGET_RT_LAUNCH 0x2 /* launches count at the runtime probe; the driver skips libcudart callers */
#define TARGET_FORKED 0x4 /* enrolled in the kernel by the fork of a traced parent */
#define TARGET_RET_GLOBAL 0x8 /* return probes fire in every process, children included */
#define TARGET_RT_GLOBAL 0x10 /* the runtime launch probe fires in every process */

#define MAX_RANGES 4

/* One traced process. The text ranges of its libcudart copies let the
 * driver's launch probe tell a runtime launch (caller inside libcudart)
 * from a direct driver launch with one lookup; fork copies them, since the
 * child inherits the mappings, and exec clears them. */
struct target {
	__u32 flags;
	__u32 nranges;
	__u64 lo[MAX_RANGES];
	__u64 hi[MAX_RANGES];
	/* Launch-layer calibration while TARGET_RT_LAUNCH is set: runtime
	 * launches seen, and how many of them the driver probe saw too. */
	__u64 rt_launches;
	__u64 rt_seen_by_driver;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct target);
} targets SEC(".maps");

/* Ring-buffer reserve failures by source: every lost record is counted. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Records skipped on purpose by 1-in-N sampling, by source. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRC_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sampled SEC(".maps");

/* Things that went wrong without losing a ring record, so they are seen. */
enum probe_error {
	ERR_CALL_STATE_FULL, /* no room to remember a call until it returns */
	ERR_OFFCPU_FULL, /* no room to remember a switched-out thread */
	ERR_SUMMARY_FULL, /* contention summary map full: CPU time not attributed */
	ERR_READ_USER, /* a user-memory read (stack arguments, out pointer) failed */
	ERR_FORK_ENROLL, /* a traced parent's child could not be enrolled */
	ERR_MAX = 16,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ERR_MAX);
	__type(key, enum probe_error); /* so that bpf2go gives Go the names */
	__type(value, __u64);
} errors SEC(".maps");

struct settings {
	__u32 sample_every; /* cuda, driver and graph: keep 1 in N; 0 and 1 keep all */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct settings);
} settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sample_seq SEC(".maps");

/* Set at load time from the ring size: once this many bytes wait unread,
 * a submit wakes the reader; below it records go in silently and the
 * reader's poll deadline bounds their latency. 0 keeps the kernel's default
 * (wake when the reader has caught up), for comparison. */
const volatile __u64 wake_bytes = 0;

static __always_inline void count(void *map, __u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(map, &idx);

	/* Atomic: a preempting program on this CPU must not lose a count. */
	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline struct target *target_of(__u32 tgid)
{
	return bpf_map_lookup_elem(&targets, &tgid);
}

/* Decides whether to drop this cuda/driver/graph record under 1-in-N
 * sampling and counts it if so. Host records never come here. */
static __always_inline bool sample_out(__u8 source, __u16 *flags)
{
	__u32 zero = 0;
	struct settings *c = bpf_map_lookup_elem(&settings, &zero);
	__u64 *seq;
	__u32 every;

	if (!c || c->sample_every <= 1)
		return false;
	every = c->sample_every;
	*flags |= REC_SAMPLED;
	seq = bpf_map_lookup_elem(&sample_seq, &zero);
	if (!seq)
		return false;
	if (__sync_fetch_and_add(seq, 1) % every == 0)
		return false;
	count(&sampled, source);
	return true;
}

static __always_inline void *rec_reserve(void *rb, __u64 size, __u8 source)
{
	void *r = bpf_ringbuf_reserve(rb, size, 0);

	if (!r)
		count(&drops, source);
	return r;
}

/* Submits without waking the reader unless the unread backlog passed
 * wake_bytes: a wake-up costs the traced thread 0.6-4 us, the record
 * itself well under one. */
static __always_inline void rec_submit(void *rb, void *r)
{
	__u64 flags = 0; /* the kernel's default: wake when the reader caught up */

	if (wake_bytes)
		flags = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= wake_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, flags);
}

static __always_inline void hdr_current(struct rec_hdr *h, __u64 ktime, __u8 source, __u8 op, __u16 flags)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->ktime_ns = ktime;
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->source = source;
	h->op = op;
	h->flags = flags;
	h->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

#endif
