/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Per-thread call state: the outermost traced call of each thread, so that
 * its return probe can emit one record with a duration, and so that traced
 * calls made inside it (the driver below the runtime) emit nothing.
 *
 * Nesting is decided by the stack pointer, not by a depth counter: a call
 * entered while another is active is nested when it runs below the active
 * call's entry stack pointer. A return that was never seen (a longjmp, a
 * probe attached mid-call) therefore heals at the next call from the same
 * or a higher frame instead of muting the thread for ever. */
#ifndef INGERO_CALLS_H
#define INGERO_CALLS_H

#include "ingero.h"
#include "python.h"

struct cuda_rec {
	struct rec_hdr hdr;
	__u64 dur_ns;
	__u64 args[4];
	__s32 ret;
	__u32 _pad;
};

/* Keeps the record type in the object's BTF for bpf2go -type and for the
 * layout test; it costs 8 bytes of .rodata. */
struct cuda_rec *const cuda_rec_type __attribute__((unused)) = 0;

struct call {
	__u64 t0;
	__u64 sp0; /* user stack pointer at entry: it points at the return address */
	__u64 args[4];
	__u64 outp; /* user address of the pointer the call writes (void **), or 0 */
	__u8 source;
	__u8 op;
	__u8 active;
	__u8 skip; /* sampled out: remember it, emit nothing */
	__u16 flags;
	__u16 _pad;
	/* Marker of the last runtime launch the runtime probe took: its entry
	 * stack pointer and time (0: none). The driver probe below consumes it. */
	__u64 rt_sp;
	__u64 rt_ts;
};

/* A marker older than this is stale: its launch never reached the driver
 * (captured into a graph, or a runtime that launches on its own). A real
 * runtime-to-driver gap is microseconds. */
#define RT_MARKER_TTL_NS (100 * 1000 * 1000ULL)

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct call);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 23);
} cuda_events SEC(".maps");

/* Set at load time by the --launch-latency option: launches then take the
 * call path (entry + return) instead of one entry record. */
const volatile bool launch_latency = false;

static __always_inline bool nested(const struct call *c, __u64 sp, __u8 source)
{
	if (!c->active)
		return false;
	if (sp < c->sp0)
		return true;
	/* A tail call from the runtime into the driver enters with the
	 * runtime call's own return address on top of the stack. */
	return sp == c->sp0 && source == SRC_driver && c->source == SRC_cuda;
}

/* True when the current thread is inside a traced call at stack sp. */
static __always_inline bool inside_call(__u64 sp, __u8 source)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &tid);

	return c && nested(c, sp, source);
}

/* The current thread's call state, created (inactive) when create is set. */
static __always_inline struct call *call_state(bool create)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &tid);

	if (c || !create)
		return c;
	struct call zero = {};

	if (bpf_map_update_elem(&calls, &tid, &zero, BPF_NOEXIST))
		count(&errors, ERR_CALL_STATE_FULL);
	return bpf_map_lookup_elem(&calls, &tid);
}

/* --stack (issue #15): the user stack rides behind the record, so a
 * stack costs no map and no second lookup. User space symbolises it while
 * the process still lives and keeps one row per distinct stack. */
#define STACK_DEPTH 64

struct stack_tail {
	/* The probed call's return address, its call site: at a function's
	 * first instruction the frame-pointer walk skips the caller on kernels
	 * before 6.12, so user space puts it back from here. */
	__u64 ret_addr;
	__u32 nbytes; /* bytes of ips that bpf_get_stack filled */
	__u32 at_entry; /* ips[0] is the probed function's first instruction */
	__u64 ips[STACK_DEPTH];
};

struct cuda_stack_rec {
	struct cuda_rec rec;
	struct stack_tail stack;
};

struct cuda_stack_rec *const cuda_stack_rec_type __attribute__((unused)) = 0;

/* --py-walker ebpf: the Python frames follow the native stack. */
struct cuda_py_rec {
	struct cuda_rec rec;
	struct stack_tail stack;
	struct py_tail py;
};

/* Set at load time by --stack. */
const volatile bool capture_stack = false;

static __always_inline struct cuda_rec *cuda_reserve(__u8 source)
{
	if (capture_stack && py_walk)
		return rec_reserve(&cuda_events, sizeof(struct cuda_py_rec), source);
	if (capture_stack)
		return rec_reserve(&cuda_events, sizeof(struct cuda_stack_rec), source);
	return rec_reserve(&cuda_events, sizeof(struct cuda_rec), source);
}

static __always_inline void fill_stack(struct pt_regs *ctx, struct cuda_rec *r, bool at_entry)
{
	struct cuda_stack_rec *s = (void *)r;
	long n;

	if (!capture_stack)
		return;
	s->stack.ret_addr = ctx->ip;
	if (at_entry && bpf_probe_read_user(&s->stack.ret_addr, sizeof(s->stack.ret_addr), (void *)ctx->sp))
		count(&errors, ERR_READ_USER);
	n = bpf_get_stack(ctx, s->stack.ips, sizeof(s->stack.ips), BPF_F_USER_STACK);
	s->stack.nbytes = n > 0 ? n : 0;
	s->stack.at_entry = at_entry;
	if (py_walk)
		py_capture(&((struct cuda_py_rec *)r)->py);
}

static __always_inline void emit_now(struct pt_regs *ctx, __u8 source, __u8 op, __u16 flags, const __u64 *a)
{
	struct cuda_rec *r = cuda_reserve(source);

	if (!r)
		return;
	fill_stack(ctx, r, true);
	hdr_current(&r->hdr, bpf_ktime_get_ns(), source, op, flags | REC_ENTRY_ONLY);
	r->dur_ns = 0;
	r->args[0] = a[0];
	r->args[1] = a[1];
	r->args[2] = a[2];
	r->args[3] = a[3];
	r->ret = 0;
	r->_pad = 0;
	rec_submit(&cuda_events, r);
}

/* Starts a traced call unless the thread is already inside one. */
static __always_inline void call_enter(struct pt_regs *ctx, __u8 source, __u8 op, __u16 flags, const __u64 *a,
				       __u64 outp)
{
	__u64 sp = ctx->sp;
	struct call *c = call_state(false);

	if (c && nested(c, sp, source))
		return;
	if (!c) {
		c = call_state(true);
		if (!c)
			return;
	}
	c->skip = sample_out(source, &flags);
	c->t0 = bpf_ktime_get_ns();
	c->sp0 = sp;
	c->args[0] = a[0];
	c->args[1] = a[1];
	c->args[2] = a[2];
	c->args[3] = a[3];
	c->outp = outp;
	c->source = source;
	c->op = op;
	c->flags = flags;
	c->active = 1;
}

/* The return half: one program serves every return-probed function, since
 * the state says which call is ending. */
static __always_inline void call_exit(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &tid);
	struct cuda_rec *r;
	__u64 now, p = 0;

	if (!c || !c->active)
		return;
	/* After ret the stack pointer sits above the entry's: anything at or
	 * below it is a nested traced call returning. */
	if (ctx->sp <= c->sp0)
		return;
	c->active = 0;
	if (c->skip)
		return;
	now = bpf_ktime_get_ns();
	r = cuda_reserve(c->source);
	if (!r)
		return;
	fill_stack(ctx, r, false);
	hdr_current(&r->hdr, c->t0, c->source, c->op, c->flags);
	r->dur_ns = now - c->t0;
	r->args[0] = c->args[0];
	r->args[1] = c->args[1];
	r->args[2] = c->args[2];
	r->args[3] = c->args[3];
	if (c->outp) {
		if (bpf_probe_read_user(&p, sizeof(p), (void *)c->outp))
			count(&errors, ERR_READ_USER);
		r->args[1] = p;
	}
	r->ret = (__s32)ctx->ax;
	r->_pad = 0;
	rec_submit(&cuda_events, r);
}

#endif
