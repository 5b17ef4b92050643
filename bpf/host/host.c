// SPDX-License-Identifier: GPL-2.0-only OR MIT
//go:build ignore

/* Scheduler and process tracepoints, filtered in the kernel to the traced
 * processes (the shared targets map). BTF tracepoints (tp_btf) need no
 * tracefs and see the task structs directly; only oom/mark_victim uses a
 * classic tracepoint, whose arguments changed across kernels. Host records
 * are never sampled. */
#include "ingero.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct host_rec {
	struct rec_hdr hdr;
	__u64 dur_ns;
	__u64 args[3];
	__u32 peer_pid;
	__u32 prev_state; /* sched_switch: the thread's state as it left the CPU */
	char peer_comm[16];
};

/* Keeps the record type in the object's BTF (see cuda/calls.h). */
struct host_rec *const host_rec_type __attribute__((unused)) = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 21);
} host_events SEC(".maps");

/* A traced thread that left the CPU, until it comes back. */
struct offcpu {
	__u64 ts;
	__u32 peer_pid; /* the task that took the CPU */
	__u32 cpu;
	__u32 preempted;
	__u32 state; /* prev->__state at switch-out: 1 S, 2 D, 0 running */
	char peer_comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct offcpu);
} offcpu SEC(".maps");

/* Per CPU: when its current task got it, and when a traced thread last ran
 * on it (and which). */
struct cpu_state {
	__u64 in_ts;
	__u64 traced_ts;
	__u32 traced_pid;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpu_state SEC(".maps");

/* What untraced tasks did on CPUs where traced threads run: on-CPU time
 * and switches per (cpu, process), drained by user space every second. */
struct contention_key {
	__u32 cpu;
	__u32 pid;
};

struct contention {
	__u64 on_ns;
	__u64 switches;
	__u32 victim_pid; /* the traced process that last ran on the CPU */
	__u32 _pad;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct contention_key);
	__type(value, struct contention);
} contention SEC(".maps");

/* How long after a traced thread ran on a CPU others' time there counts. */
#define CONTENTION_WINDOW_NS 1000000000ULL

struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (__u32)BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

static __always_inline __u64 task_cgroup(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

static __always_inline __u32 task_cpu(struct task_struct *t)
{
	return BPF_CORE_READ(t, thread_info.cpu);
}

static __always_inline bool traced(__u32 tgid)
{
	return tgid && target_of(tgid);
}

static __always_inline struct host_rec *host_reserve(void)
{
	return rec_reserve(&host_events, sizeof(struct host_rec), SRC_host);
}

/* Fills the header from a task that may not be the current one. */
static __always_inline void hdr_task(struct rec_hdr *h, struct task_struct *t, __u64 ktime, __u8 op)
{
	h->ktime_ns = ktime;
	h->cgroup_id = task_cgroup(t);
	h->pid = BPF_CORE_READ(t, tgid);
	h->tid = BPF_CORE_READ(t, pid);
	h->source = SRC_host;
	h->op = op;
	h->flags = 0;
	h->cpu = bpf_get_smp_processor_id();
	BPF_CORE_READ_STR_INTO(&h->comm, t, comm);
}

static __always_inline void rec_clear(struct host_rec *r)
{
	r->dur_ns = 0;
	r->args[0] = r->args[1] = r->args[2] = 0;
	r->peer_pid = 0;
	r->prev_state = 0;
	__builtin_memset(r->peer_comm, 0, sizeof(r->peer_comm));
}

static __always_inline void account_other(__u32 cpu, struct task_struct *t, __u64 on_ns, __u32 victim)
{
	struct contention_key k = { .cpu = cpu, .pid = BPF_CORE_READ(t, tgid) };
	struct contention *c = bpf_map_lookup_elem(&contention, &k);

	if (!c) {
		struct contention fresh = { .victim_pid = victim };

		BPF_CORE_READ_STR_INTO(&fresh.comm, t, comm);
		bpf_map_update_elem(&contention, &k, &fresh, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&contention, &k);
		if (!c) {
			count(&errors, ERR_SUMMARY_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&c->on_ns, on_ns);
	__sync_fetch_and_add(&c->switches, 1);
	c->victim_pid = victim;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 prev_tgid = BPF_CORE_READ(prev, tgid), next_tgid = BPF_CORE_READ(next, tgid);
	bool prev_traced = traced(prev_tgid), next_traced = traced(next_tgid);
	__u32 zero = 0;
	struct cpu_state *st = bpf_map_lookup_elem(&cpu_state, &zero);
	__u64 prev_ran = 0;

	if (st) {
		if (st->in_ts)
			prev_ran = now - st->in_ts;
		/* The task leaving ran since in_ts; count it if it is someone
		 * else's time on a CPU a traced thread uses (pid 0 is idle). */
		if (!prev_traced && BPF_CORE_READ(prev, pid) != 0 && st->in_ts &&
		    (next_traced || (st->traced_ts && now - st->traced_ts < CONTENTION_WINDOW_NS)))
			account_other(cpu, prev, now - st->in_ts, next_traced ? next_tgid : st->traced_pid);
		if (prev_traced || next_traced) {
			st->traced_ts = now;
			st->traced_pid = next_traced ? next_tgid : prev_tgid;
		}
		st->in_ts = now;
	}

	if (prev_traced) {
		__u32 state = task_state(prev);
		struct offcpu o = {
			.ts = now,
			.peer_pid = next_tgid,
			.cpu = cpu,
			.preempted = preempt || state == 0,
			.state = state,
		};
		__u32 tid = BPF_CORE_READ(prev, pid);

		BPF_CORE_READ_STR_INTO(&o.peer_comm, next, comm);
		if (bpf_map_update_elem(&offcpu, &tid, &o, BPF_ANY))
			count(&errors, ERR_OFFCPU_FULL);
	}

	if (next_traced) {
		__u32 tid = BPF_CORE_READ(next, pid);
		struct offcpu *o = bpf_map_lookup_elem(&offcpu, &tid);
		struct host_rec *r;

		if (!o)
			return 0;
		r = host_reserve();
		if (r) {
			hdr_task(&r->hdr, next, o->ts, OP_sched_switch);
			rec_clear(r);
			r->dur_ns = now - o->ts;
			r->args[0] = o->cpu;
			r->args[1] = o->preempted;
			r->args[2] = cpu;
			r->prev_state = o->state;
			/* The peer is whoever held the CPU for most of the
			 * interval: the task that took it from this thread,
			 * unless the one handing it back ran for more than
			 * half of it. A tracer's reader, woken by this very
			 * thread's probe, takes the CPU for microseconds and
			 * leaves it to the hog that then keeps it for a
			 * whole slice; naming the reader would hide the hog. */
			if (BPF_CORE_READ(prev, pid) != 0 && prev_ran * 2 > r->dur_ns) {
				r->peer_pid = prev_tgid;
				BPF_CORE_READ_STR_INTO(&r->peer_comm, prev, comm);
			} else {
				r->peer_pid = o->peer_pid;
				__builtin_memcpy(r->peer_comm, o->peer_comm, sizeof(r->peer_comm));
			}
			rec_submit(&host_events, r);
		}
		bpf_map_delete_elem(&offcpu, &tid);
	}
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	__u64 waker = bpf_get_current_pid_tgid();
	struct host_rec *r;

	if (!traced(BPF_CORE_READ(p, tgid)))
		return 0;
	r = host_reserve();
	if (!r)
		return 0;
	hdr_task(&r->hdr, p, bpf_ktime_get_ns(), OP_sched_wakeup);
	rec_clear(r);
	r->args[0] = task_cpu(p);
	r->args[1] = bpf_get_smp_processor_id();
	r->peer_pid = waker >> 32;
	bpf_get_current_comm(r->peer_comm, sizeof(r->peer_comm));
	rec_submit(&host_events, r);
	return 0;
}

/* What a process keeps of its target entry across fork or exec: probes
 * attached for the parent's pid alone do not fire in a child, and exec
 * replaces the mappings the libcudart ranges describe. Until user space
 * registers it again the process gets entry records, and its launches
 * count at the driver. */
static __always_inline __u32 inheritable(__u32 flags, bool exec)
{
	if (!(flags & TARGET_RET_GLOBAL))
		flags &= ~TARGET_RETPROBES;
	if (exec || !(flags & TARGET_RT_GLOBAL))
		flags &= ~TARGET_RT_LAUNCH;
	return flags;
}

/* A new process of a traced parent is traced from its first instruction:
 * it inherits the parent's entry, mappings included. New threads share
 * the parent's tgid and need nothing. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	struct target *t;
	struct target copy;
	struct host_rec *r;

	if (ctgid == ptgid)
		return 0;
	t = target_of(ptgid);
	if (!t)
		return 0;
	__builtin_memcpy(&copy, t, sizeof(copy));
	copy.flags = inheritable(copy.flags, false) | TARGET_FORKED;
	copy.rt_launches = 0;
	copy.rt_seen_by_driver = 0;
	if (bpf_map_update_elem(&targets, &ctgid, &copy, BPF_NOEXIST))
		count(&errors, ERR_FORK_ENROLL);
	r = host_reserve();
	if (!r)
		return 0;
	hdr_task(&r->hdr, parent, bpf_ktime_get_ns(), OP_process_fork);
	rec_clear(r);
	r->peer_pid = ctgid;
	BPF_CORE_READ_STR_INTO(&r->peer_comm, child, comm);
	rec_submit(&host_events, r);
	return 0;
}

/* Exec replaces the mappings: the libcudart ranges no longer hold. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid)
{
	struct target *t = target_of(BPF_CORE_READ(p, tgid));
	struct host_rec *r;

	if (!t)
		return 0;
	t->nranges = 0;
	t->flags = inheritable(t->flags, true);
	r = host_reserve();
	if (!r)
		return 0;
	hdr_task(&r->hdr, p, bpf_ktime_get_ns(), OP_process_exec);
	rec_clear(r);
	r->args[0] = (__u32)old_pid;
	rec_submit(&host_events, r);
	return 0;
}

/* Fires per exiting thread; the process is gone when its last thread
 * leaves (signal->live reached 0 before this tracepoint). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid), tgid = BPF_CORE_READ(p, tgid);
	struct host_rec *r;

	bpf_map_delete_elem(&offcpu, &tid);
	if (!traced(tgid) || BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&targets, &tgid);
	r = host_reserve();
	if (!r)
		return 0;
	hdr_task(&r->hdr, p, bpf_ktime_get_ns(), OP_process_exit);
	rec_clear(r);
	r->args[0] = (__u32)BPF_CORE_READ(p, exit_code);
	rec_submit(&host_events, r);
	return 0;
}

/* The OOM killer chose a victim. Kept when the victim or the task that ran
 * out of memory is traced. Since Linux 6.8 the tracepoint also carries the
 * victim's name and memory (in kB; pages here, x86-64 pages being 4 kB). */
SEC("tracepoint/oom/mark_victim")
int mark_victim(struct trace_event_raw_mark_victim *ctx)
{
	__u32 victim = BPF_CORE_READ(ctx, pid);
	__u64 id = bpf_get_current_pid_tgid();
	struct host_rec *r;

	if (!traced(victim) && !traced(id >> 32))
		return 0;
	r = host_reserve();
	if (!r)
		return 0;
	hdr_current(&r->hdr, bpf_ktime_get_ns(), SRC_host, OP_oom_kill, 0);
	rec_clear(r);
	r->peer_pid = victim;
	if (bpf_core_field_exists(ctx->anon_rss)) {
		__u64 kb = BPF_CORE_READ(ctx, anon_rss) + BPF_CORE_READ(ctx, file_rss) + BPF_CORE_READ(ctx, shmem_rss);
		__u32 loc = BPF_CORE_READ(ctx, __data_loc_comm);

		r->args[0] = kb / 4;
		r->args[1] = BPF_CORE_READ(ctx, total_vm) / 4;
		r->args[2] = (__u64)(__s64)BPF_CORE_READ(ctx, oom_score_adj);
		bpf_probe_read_kernel_str(r->peer_comm, sizeof(r->peer_comm), (void *)ctx + (loc & 0xffff));
	}
	rec_submit(&host_events, r);
	return 0;
}
