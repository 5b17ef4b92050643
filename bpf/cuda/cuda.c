// SPDX-License-Identifier: GPL-2.0-only OR MIT
//go:build ignore

/* Uprobes on libcudart (source cuda) and libcuda (source driver).
 *
 * x86-64 System V: arguments 1-6 in rdi, rsi, rdx, rcx, r8, r9; at a
 * function's first instruction the return address is at [sp] and argument
 * 7 onwards at [sp+8], [sp+16], ... A dim3 (12 bytes) passes in two
 * registers: x | y<<32, then z. bpf/README.md states the counting rules. */
#include "calls.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* x | y<<32 | z<<48: lossless for CUDA's limits (y, z < 65536). */
static __always_inline __u64 dims(__u64 x, __u64 y, __u64 z)
{
	return (x & 0xffffffff) | (y & 0xffff) << 32 | (z & 0xffff) << 48;
}

static __always_inline void read_stack(struct pt_regs *ctx, __u64 *dst, __u32 size)
{
	if (bpf_probe_read_user(dst, size, (void *)ctx->sp))
		count(&errors, ERR_READ_USER);
}

static __always_inline bool in_cudart(const struct target *t, __u64 addr)
{
	__u32 n = t->nranges;

	_Static_assert(MAX_RANGES == 4, "in_cudart checks four ranges");
#define IN_RANGE(i) (n > (i) && addr >= t->lo[i] && addr < t->hi[i])
	return IN_RANGE(0) || IN_RANGE(1) || IN_RANGE(2) || IN_RANGE(3);
#undef IN_RANGE
}

static __always_inline struct target *current_target(void)
{
	return target_of(bpf_get_current_pid_tgid() >> 32);
}

/* Every non-launch op. Where return probes may run, the call path gives
 * one record with a duration at return; elsewhere one entry record, and a
 * driver call whose caller lies in libcudart stays quiet because the
 * runtime call above it has its own record. */
static __always_inline int enter(struct pt_regs *ctx, __u8 source, __u8 op, __u64 a0, __u64 a1, __u64 a2,
				 __u64 a3, __u64 outp)
{
	struct target *t = current_target();
	__u64 a[4] = { a0, a1, a2, a3 };
	__u64 caller = 0;
	__u16 flags = 0;

	if (!t)
		return 0;
	if (t->flags & TARGET_RETPROBES) {
		call_enter(ctx, source, op, 0, a, outp);
		return 0;
	}
	if (source == SRC_driver) {
		read_stack(ctx, &caller, sizeof(caller));
		if (in_cudart(t, caller))
			return 0;
	}
	if (inside_call(ctx->sp, source) || sample_out(source, &flags))
		return 0;
	emit_now(ctx, source, op, flags, a);
	return 0;
}

/* Records one launch, at entry by default, or as a call with a duration
 * under --launch-latency. c is the thread's call state, or NULL. */
static __always_inline int launch(struct pt_regs *ctx, struct target *t, struct call *c, __u8 source, __u8 op,
				  __u16 flags, const __u64 *a)
{
	if (launch_latency && (t->flags & TARGET_RETPROBES)) {
		call_enter(ctx, source, op, flags, a, 0);
		return 0;
	}
	if ((c && nested(c, ctx->sp, source)) || sample_out(source, &flags))
		return 0;
	emit_now(ctx, source, op, flags, a);
	return 0;
}

/* A driver launch whose caller lies in libcudart is a runtime launch. It
 * is recorded here, as cudaLaunchKernel, unless the runtime's own probe
 * already took it: then the thread carries a fresh marker set by that
 * probe above this frame, which is consumed. The decision is per launch,
 * so a process switching layers mid-storm loses and doubles nothing. */
static __always_inline int driver_launch(struct pt_regs *ctx, struct target *t, __u8 op, const __u64 *a,
					 __u64 caller)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &tid);

	if (!in_cudart(t, caller))
		return launch(ctx, t, c, SRC_driver, op, 0, a);
	if (c && c->rt_ts && ctx->sp < c->rt_sp && bpf_ktime_get_ns() - c->rt_ts < RT_MARKER_TTL_NS) {
		c->rt_ts = 0;
		__sync_fetch_and_add(&t->rt_seen_by_driver, 1);
		return 0;
	}
	if (c && nested(c, ctx->sp, SRC_cuda)) {
		if (c->source == SRC_cuda && c->op == OP_cudaLaunchKernel)
			__sync_fetch_and_add(&t->rt_seen_by_driver, 1);
		return 0;
	}
	return launch(ctx, t, c, SRC_cuda, OP_cudaLaunchKernel, REC_VIA_DRIVER, a);
}

/* cuLaunchKernel(f, gx, gy, gz, bx, by, bz, sharedMem, hStream, params, extra) */
static __always_inline int cu_launch(struct pt_regs *ctx)
{
	struct target *t = current_target();
	__u64 stk[4] = {}; /* return address, bz, sharedMem, hStream */

	if (!t)
		return 0;
	read_stack(ctx, stk, sizeof(stk));
	__u64 a[4] = { ctx->di, stk[3], dims(ctx->si, ctx->dx, ctx->cx), dims(ctx->r8, ctx->r9, stk[1]) };
	return driver_launch(ctx, t, OP_cuLaunchKernel, a, stk[0]);
}

SEC("uprobe.multi")
int cu_launch_kernel(struct pt_regs *ctx)
{
	return cu_launch(ctx);
}

struct launch_config {
	__u32 grid[3];
	__u32 block[3];
	__u32 shared_mem;
	__u32 _pad;
	__u64 stream;
};

/* cuLaunchKernelEx(const CUlaunchConfig *config, f, params, extra) */
SEC("uprobe.multi")
int cu_launch_kernel_ex(struct pt_regs *ctx)
{
	struct target *t = current_target();
	struct launch_config lc = {};
	__u64 caller = 0;

	if (!t)
		return 0;
	read_stack(ctx, &caller, sizeof(caller));
	if (bpf_probe_read_user(&lc, sizeof(lc), (void *)ctx->di))
		count(&errors, ERR_READ_USER);
	__u64 a[4] = { ctx->si, lc.stream, dims(lc.grid[0], lc.grid[1], lc.grid[2]),
		       dims(lc.block[0], lc.block[1], lc.block[2]) };
	return driver_launch(ctx, t, OP_cuLaunchKernelEx, a, caller);
}

/* cudaLaunchKernel(func, dim3 grid, dim3 block, args, sharedMem, stream):
 * attached only for processes whose launches may count at the runtime
 * layer. While TARGET_RT_LAUNCH is set it takes the launch and leaves the
 * thread a marker for the driver probe below (see driver_launch); once
 * cleared it only clears stale markers, until user space detaches it. */
SEC("uprobe.multi")
int cuda_launch_kernel(struct pt_regs *ctx)
{
	struct target *t = current_target();
	__u64 stk[3] = {}; /* return address, sharedMem, stream */
	struct call *c;

	if (!t)
		return 0;
	c = call_state(!!(t->flags & TARGET_RT_LAUNCH));
	if (!(t->flags & TARGET_RT_LAUNCH)) {
		if (c)
			c->rt_ts = 0;
		return 0;
	}
	if (!c)
		return 0;
	__sync_fetch_and_add(&t->rt_launches, 1);
	if (!launch_latency) {
		c->rt_sp = ctx->sp;
		c->rt_ts = bpf_ktime_get_ns();
	}
	read_stack(ctx, stk, sizeof(stk));
	__u64 a[4] = { ctx->di, stk[2], dims(ctx->si, ctx->si >> 32, ctx->dx), dims(ctx->cx, ctx->cx >> 32, ctx->r8) };
	return launch(ctx, t, c, SRC_cuda, OP_cudaLaunchKernel, 0, a);
}

/* The generic return half (calls.h): one program for every return-probed
 * function, since the call state says which call is ending. */
SEC("uretprobe.multi")
int call_return(struct pt_regs *ctx)
{
	call_exit(ctx);
	return 0;
}

/* Every other function enters here; the attach cookie says which one it is
 * (source<<8 | op), so that one link per library serves them all: a uprobe
 * detach waits for an RCU grace period, and one link means one wait. */
#define KEY(src, op) ((src) << 8 | (op))

SEC("uprobe.multi")
int enter_call(struct pt_regs *ctx)
{
	__u64 stk[3] = {}; /* return address, then stack arguments 7 and 8 */

	switch (bpf_get_attach_cookie(ctx)) {
	/* Runtime memory; the pointer read at return fills args[1]. */
	case KEY(SRC_cuda, OP_cudaMalloc):
		return enter(ctx, SRC_cuda, OP_cudaMalloc, ctx->si, 0, 0, 0, ctx->di);
	case KEY(SRC_cuda, OP_cudaMallocManaged):
		return enter(ctx, SRC_cuda, OP_cudaMallocManaged, ctx->si, 0, (__u32)ctx->dx, 0, ctx->di);
	case KEY(SRC_cuda, OP_cudaMallocHost):
		return enter(ctx, SRC_cuda, OP_cudaMallocHost, ctx->si, 0, 0, 0, ctx->di);
	case KEY(SRC_cuda, OP_cudaFree):
		return enter(ctx, SRC_cuda, OP_cudaFree, ctx->di, 0, 0, 0, 0);
	case KEY(SRC_cuda, OP_cudaFreeHost):
		return enter(ctx, SRC_cuda, OP_cudaFreeHost, ctx->di, 0, 0, 0, 0);

	/* Runtime copies: bytes, kind, then stream or devices. */
	case KEY(SRC_cuda, OP_cudaMemcpy):
		return enter(ctx, SRC_cuda, OP_cudaMemcpy, ctx->dx, (__u32)ctx->cx, 0, 0, 0);
	case KEY(SRC_cuda, OP_cudaMemcpyAsync):
		return enter(ctx, SRC_cuda, OP_cudaMemcpyAsync, ctx->dx, (__u32)ctx->cx, ctx->r8, 0, 0);
	case KEY(SRC_cuda, OP_cudaMemcpy2D): /* (dst, dpitch, src, spitch, width, height, kind) */
		read_stack(ctx, stk, 2 * sizeof(__u64));
		return enter(ctx, SRC_cuda, OP_cudaMemcpy2D, ctx->r8 * ctx->r9, (__u32)stk[1], 0, 0, 0);
	case KEY(SRC_cuda, OP_cudaMemcpy2DAsync): /* ... kind, stream */
		read_stack(ctx, stk, 3 * sizeof(__u64));
		return enter(ctx, SRC_cuda, OP_cudaMemcpy2DAsync, ctx->r8 * ctx->r9, (__u32)stk[1], stk[2], 0, 0);
	case KEY(SRC_cuda, OP_cudaMemcpyPeer): /* (dst, dstDevice, src, srcDevice, count) */
		return enter(ctx, SRC_cuda, OP_cudaMemcpyPeer, ctx->r8, 3, (__u32)ctx->si, (__u32)ctx->cx, 0);
	case KEY(SRC_cuda, OP_cudaMemcpyPeerAsync): /* ... stream; args[3] = dst<<32 | src */
		return enter(ctx, SRC_cuda, OP_cudaMemcpyPeerAsync, ctx->r8, 3, ctx->r9,
			     (__u64)(__u32)ctx->si << 32 | (__u32)ctx->cx, 0);

	/* Runtime syncs. */
	case KEY(SRC_cuda, OP_cudaStreamSynchronize):
		return enter(ctx, SRC_cuda, OP_cudaStreamSynchronize, ctx->di, 0, 0, 0, 0);
	case KEY(SRC_cuda, OP_cudaDeviceSynchronize):
		return enter(ctx, SRC_cuda, OP_cudaDeviceSynchronize, 0, 0, 0, 0, 0);
	case KEY(SRC_cuda, OP_cudaEventSynchronize):
		return enter(ctx, SRC_cuda, OP_cudaEventSynchronize, ctx->di, 0, 0, 0, 0);

	/* Driver memory. */
	case KEY(SRC_driver, OP_cuMemAlloc):
		return enter(ctx, SRC_driver, OP_cuMemAlloc, ctx->si, 0, 0, 0, ctx->di);
	case KEY(SRC_driver, OP_cuMemAllocManaged):
		return enter(ctx, SRC_driver, OP_cuMemAllocManaged, ctx->si, 0, (__u32)ctx->dx, 0, ctx->di);
	case KEY(SRC_driver, OP_cuMemFree):
		return enter(ctx, SRC_driver, OP_cuMemFree, ctx->di, 0, 0, 0, 0);

	/* Driver copies: the byte count is the third argument of every form
	 * and the stream the fourth of the async ones; the kind follows from
	 * the name (cuMemcpy copies by unified address: kind 4, "default"). */
	case KEY(SRC_driver, OP_cuMemcpy):
		return enter(ctx, SRC_driver, OP_cuMemcpy, ctx->dx, 4, 0, 0, 0);
	case KEY(SRC_driver, OP_cuMemcpyHtoD):
		return enter(ctx, SRC_driver, OP_cuMemcpyHtoD, ctx->dx, 1, 0, 0, 0);
	case KEY(SRC_driver, OP_cuMemcpyDtoH):
		return enter(ctx, SRC_driver, OP_cuMemcpyDtoH, ctx->dx, 2, 0, 0, 0);
	case KEY(SRC_driver, OP_cuMemcpyDtoD):
		return enter(ctx, SRC_driver, OP_cuMemcpyDtoD, ctx->dx, 3, 0, 0, 0);
	case KEY(SRC_driver, OP_cuMemcpyAsync):
		return enter(ctx, SRC_driver, OP_cuMemcpyAsync, ctx->dx, 4, ctx->cx, 0, 0);
	case KEY(SRC_driver, OP_cuMemcpyHtoDAsync):
		return enter(ctx, SRC_driver, OP_cuMemcpyHtoDAsync, ctx->dx, 1, ctx->cx, 0, 0);
	case KEY(SRC_driver, OP_cuMemcpyDtoHAsync):
		return enter(ctx, SRC_driver, OP_cuMemcpyDtoHAsync, ctx->dx, 2, ctx->cx, 0, 0);
	case KEY(SRC_driver, OP_cuMemcpyDtoDAsync):
		return enter(ctx, SRC_driver, OP_cuMemcpyDtoDAsync, ctx->dx, 3, ctx->cx, 0, 0);

	/* Driver syncs. */
	case KEY(SRC_driver, OP_cuStreamSynchronize):
		return enter(ctx, SRC_driver, OP_cuStreamSynchronize, ctx->di, 0, 0, 0, 0);
	case KEY(SRC_driver, OP_cuCtxSynchronize):
		return enter(ctx, SRC_driver, OP_cuCtxSynchronize, 0, 0, 0, 0, 0);
	}
	return 0;
}

/* CUDA graphs (issue 15): their own program, in their own file. */
#include "graph.h"

/* A thread's call state dies with it: its tid may be reused, and a stale
 * active call would make the new thread's calls look nested. Exec replaces
 * the stack, so the same holds there. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(cuda_thread_exit, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);

	bpf_map_delete_elem(&calls, &tid);
	if (py_walk)
		bpf_map_delete_elem(&py_tstates, &tid);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(cuda_exec, struct task_struct *p, pid_t old_pid)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	__u32 old = old_pid;

	__u32 tgid = BPF_CORE_READ(p, tgid);

	bpf_map_delete_elem(&calls, &tid);
	if (old != tid)
		bpf_map_delete_elem(&calls, &old);
	/* A new image: its interpreter, if any, is described again by user
	 * space once it sees the exec. */
	if (py_walk) {
		bpf_map_delete_elem(&py_procs, &tgid);
		bpf_map_delete_elem(&py_tstates, &tid);
		if (old != tid)
			bpf_map_delete_elem(&py_tstates, &old);
	}
	return 0;
}
