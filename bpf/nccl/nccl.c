// SPDX-License-Identifier: GPL-2.0-only OR MIT
//go:build ignore

/* Uprobes on libnccl (source nccl): collectives, point-to-point and
 * communicator setup, each with its rank, the number of ranks and a hash of
 * the communicator's ncclUniqueId, which is the same on every rank: with it
 * the rounds of one collective line up across processes and nodes.
 *
 * ncclComm_t is opaque and its layout changes between NCCL versions, so
 * rank and nranks come from ncclCommInitRank's arguments instead: its entry
 * remembers them per process with the address the handle will be written to,
 * and the process's next NCCL call reads the handle there (the init has
 * returned by then) and files it. No return probe is needed for that; one
 * is attached only where return probes are safe, for durations.
 *
 * x86-64 System V: arguments 1-6 in rdi, rsi, rdx, rcx, r8, r9, the 7th at
 * [sp+8] at the first instruction. ncclUniqueId (128 bytes) passes by value
 * in memory, at [sp+8], and takes no register: the rank after it is rdx. */
#include "ingero.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct nccl_rec {
	struct rec_hdr hdr;
	__u64 dur_ns;
	__u64 args[4];
	__s32 ret;
	__u32 _pad;
};

struct nccl_rec *const nccl_rec_type __attribute__((unused)) = 0;

struct comm_key {
	__u32 tgid;
	__u32 _pad;
	__u64 comm;
};

struct comm_info {
	__u64 hash;
	__u32 rank;
	__u32 nranks;
};

/* What an init's entry learned, until the handle it writes can be read. */
struct pending_init {
	__u64 commp; /* user address of the ncclComm_t the init writes */
	struct comm_info info;
};

/* A call in flight, where return probes run. */
struct nccl_call {
	__u64 t0;
	__u64 sp0;
	__u64 args[4];
	__u8 op;
	__u8 active;
	__u16 flags;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* handles of exited processes age out */
	__uint(max_entries, 4096);
	__type(key, struct comm_key);
	__type(value, struct comm_info);
} nccl_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pending_init);
} nccl_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct nccl_call);
} nccl_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 21);
} nccl_events SEC(".maps");

/* Set at load: return probes are attached (for every process). */
const volatile bool with_returns = false;

/* FNV-1a over the id's 16 words: the same 64 bits on every rank. */
static __always_inline __u64 id_hash(const __u64 *w)
{
	__u64 h = 0xcbf29ce484222325ULL;

#pragma unroll
	for (int i = 0; i < 16; i++)
		h = (h ^ w[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* Sizes of ncclDataType_t: int8, uint8, int32, uint32, int64, uint64,
 * float16, float32, float64, bfloat16, fp8 e4m3, fp8 e5m2. */
static __always_inline __u64 dtype_size(__u64 dt)
{
	switch (dt) {
	case 0: case 1: case 10: case 11:
		return 1;
	case 6: case 9:
		return 2;
	case 2: case 3: case 7:
		return 4;
	case 4: case 5: case 8:
		return 8;
	}
	return 1;
}

static __always_inline struct target *current_target(void)
{
	return target_of(bpf_get_current_pid_tgid() >> 32);
}

/* Files the process's last init once its handle is written. Keyed by
 * process, not thread: a library may set a communicator up on one thread
 * and run collectives on another. */
static __always_inline void resolve_pending(__u32 tgid)
{
	struct pending_init *p = bpf_map_lookup_elem(&nccl_pending, &tgid);
	struct comm_key k = { .tgid = tgid };

	if (!p)
		return;
	if (bpf_probe_read_user(&k.comm, sizeof(k.comm), (void *)p->commp) || !k.comm)
		return;
	bpf_map_update_elem(&nccl_comms, &k, &p->info, BPF_ANY);
	bpf_map_delete_elem(&nccl_pending, &tgid);
}

static __always_inline struct comm_info *comm_of(__u32 tgid, __u64 comm)
{
	struct comm_key k = { .tgid = tgid, .comm = comm };

	return bpf_map_lookup_elem(&nccl_comms, &k);
}

static __always_inline void emit(__u64 t0, __u64 dur, __u8 op, __u16 flags, const __u64 *a, __s32 ret)
{
	struct nccl_rec *r = rec_reserve(&nccl_events, sizeof(*r), SRC_nccl);

	if (!r)
		return;
	hdr_current(&r->hdr, t0, SRC_nccl, op, flags);
	r->dur_ns = dur;
	r->args[0] = a[0];
	r->args[1] = a[1];
	r->args[2] = a[2];
	r->args[3] = a[3];
	r->ret = ret;
	r->_pad = 0;
	rec_submit(&nccl_events, r);
}

/* Emits now, or remembers the call for the return probe. A call made
 * inside another traced NCCL call (below its entry stack) is not one the
 * application made, and stays quiet. */
static __always_inline int record(__u64 sp, __u8 op, const __u64 *a)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct nccl_call *c = bpf_map_lookup_elem(&nccl_calls, &tid);

	if (c && c->active && sp < c->sp0)
		return 0;
	if (!with_returns) {
		emit(bpf_ktime_get_ns(), 0, op, REC_ENTRY_ONLY, a, 0);
		return 0;
	}
	struct nccl_call n = { .t0 = bpf_ktime_get_ns(), .sp0 = sp, .op = op, .active = 1 };

	n.args[0] = a[0];
	n.args[1] = a[1];
	n.args[2] = a[2];
	n.args[3] = a[3];
	if (bpf_map_update_elem(&nccl_calls, &tid, &n, BPF_ANY))
		count(&errors, ERR_CALL_STATE_FULL);
	return 0;
}

#define KEY(op) (op)

SEC("uprobe.multi")
int nccl_enter(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct target *t = current_target();
	struct comm_info *ci, none = {};
	__u64 stk[2] = {}, comm = 0, bytes = 0, third = 0;
	__u8 op = (__u8)bpf_get_attach_cookie(ctx);
	/* Read every register once, up front: the verifier refuses a ctx
	 * pointer the compiler offsets once and shares between cases. */
	__u64 di = ctx->di, si = ctx->si, dx = ctx->dx, cx = ctx->cx, r8 = ctx->r8, r9 = ctx->r9, sp = ctx->sp;

	asm volatile("" ::: "memory");
	if (!t)
		return 0;
	resolve_pending(tgid);
	switch (op) {
	case OP_ncclCommInitRank: {
		/* (ncclComm_t *comm, int nranks, ncclUniqueId id, int rank[, config]) */
		__u64 w[17] = {};
		struct pending_init p = {};

		if (bpf_probe_read_user(w, sizeof(w), (void *)sp))
			count(&errors, ERR_READ_USER);
		p.commp = di;
		p.info.hash = id_hash(&w[1]);
		p.info.nranks = (__u32)si;
		p.info.rank = (__u32)dx;
		bpf_map_update_elem(&nccl_pending, &tgid, &p, BPF_ANY);
		__u64 a[4] = { p.info.nranks, p.info.rank, p.info.hash, 0 };
		return record(sp, op, a);
	}
	case OP_ncclCommDestroy: {
		struct comm_key k = { .tgid = tgid, .comm = di };

		ci = bpf_map_lookup_elem(&nccl_comms, &k);
		if (!ci)
			ci = &none;
		__u64 a[4] = { di, ci->hash, 0, ci->rank | (__u64)ci->nranks << 32 };
		bpf_map_delete_elem(&nccl_comms, &k);
		return record(sp, op, a);
	}
	case OP_ncclAllReduce: /* (send, recv, count, dtype, redop, comm, stream) */
	case OP_ncclReduceScatter:
	case OP_ncclBroadcast: /* (send, recv, count, dtype, root, comm, stream) */
		if (bpf_probe_read_user(stk, sizeof(stk), (void *)sp))
			count(&errors, ERR_READ_USER);
		bytes = dx * dtype_size(cx);
		comm = r9;
		third = stk[1];
		break;
	case OP_ncclAllGather: /* (send, recv, sendcount, dtype, comm, stream) */
		bytes = dx * dtype_size(cx);
		comm = r8;
		third = r9;
		break;
	case OP_ncclSend: /* (buf, count, dtype, peer, comm, stream) */
	case OP_ncclRecv:
		bytes = si * dtype_size(dx);
		comm = r8;
		third = (__u32)cx;
		break;
	case OP_ncclBroadcast | 0x80: /* ncclBcast(buf, count, dtype, root, comm, stream) */
		op = OP_ncclBroadcast;
		bytes = si * dtype_size(dx);
		comm = r8;
		third = r9;
		break;
	default:
		return 0;
	}
	ci = comm_of(tgid, comm);
	if (!ci)
		ci = &none;
	__u64 a[4] = { bytes, ci->hash, third, ci->rank | (__u64)ci->nranks << 32 };
	return record(sp, op, a);
}

SEC("uretprobe.multi")
int nccl_return(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct nccl_call *c = bpf_map_lookup_elem(&nccl_calls, &tid);

	if (!c || !c->active || ctx->sp <= c->sp0)
		return 0;
	c->active = 0;
	if (c->op == OP_ncclCommInitRank)
		resolve_pending(id >> 32);
	emit(c->t0, bpf_ktime_get_ns() - c->t0, c->op, 0, c->args, (__s32)ctx->ax);
	return 0;
}

/* A thread's state dies with it: its tid may be reused. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(nccl_thread_exit, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);

	bpf_map_delete_elem(&nccl_calls, &tid);
	bpf_map_delete_elem(&nccl_pending, &tid); /* the process's, when its main thread exits */
	return 0;
}
