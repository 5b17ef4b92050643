// SPDX-License-Identifier: GPL-2.0-only OR MIT
//go:build ignore

/* Block device requests, host-wide: one record per read, write, discard or
 * flush request that reached a device driver, timed from its issue to the
 * driver to its completion, and charged to the task that submitted it.
 *
 * Who a request is charged to: the task that turned bios into the request
 * (block_io_start, in submit_bio's context), not the one that dispatched it
 * to the driver (block_rq_issue), which under an IO scheduler or a full
 * device queue is often a kblockd worker or whatever an interrupt cut into.
 * That is still the kernel's truth, not the application's intent: buffered
 * writes are submitted by the writeback kworker (or by the writer itself
 * when it fsyncs or is throttled), O_DIRECT and fsync'ed writes by the
 * writer, journal commits by jbd2, page-cache reads by the reader (and
 * readahead by whoever triggered it). A flush request is made by the
 * kernel's flush machinery for the requests waiting on it (an fsync's empty
 * preflush, a journal commit) and dispatched by a kblockd worker: it is
 * charged to the submitter of the first waiting request, else to the task
 * that dispatched it. Kernels before 6.5 lack block_io_start; user space
 * then leaves that program out and every request is charged at issue.
 *
 * Host-wide, never sampled: block IO volume is modest, and the causal
 * engine ranks every issuer against the traced processes. */
#include "ingero.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The block_write/read/discard record. args: bytes, first sector (of the
 * whole disk, 512-byte units), device; block_flush: args[0] = device.
 * device is the kernel's dev_t: major << 20 | minor, the partition where the
 * request names one. ret is the blk_status_t (0 = BLK_STS_OK, 10 =
 * BLK_STS_IOERR, ...). */
struct io_rec {
	struct rec_hdr hdr;
	__u64 dur_ns;
	__u64 args[3];
	__s32 ret;
	__u32 _pad;
};

/* Keeps the record type in the object's BTF (see cuda/calls.h). */
struct io_rec *const io_rec_type __attribute__((unused)) = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} io_events SEC(".maps");

/* A request between submission and completion. hdr holds the submitter;
 * hdr.ktime_ns and hdr.op are set at issue (ktime 0: not issued yet). */
struct inflight {
	struct rec_hdr hdr;
	__u64 sector;
	__u32 bytes;
	__u32 dev;
	__u32 requeued; /* the driver gave it back: its next issue is no new request */
	__u32 _pad;
};

/* Keyed by the request's address. Requests come from fixed per-queue
 * pools, so an entry a missed event left behind is overwritten when its
 * request is reused; the size covers what devices keep in flight. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* Completions of requests whose issue was not seen: issued before the
 * programs attached, or not remembered (counted in errors then too). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unmatched SEC(".maps");

/* Requests whose completion never ran the programs (see lost): their
 * records are lost, for a cause of the kernel's, not the ring's. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} missed SEC(".maps");

/* REQ_OP_MASK: the low 8 bits of cmd_flags are the operation. */
#define REQ_OP_BITS 8
#define REQ_OP_MASK ((1U << REQ_OP_BITS) - 1)
#define MINORBITS 20

/* The record op of a request, 0 for operations not recorded (zone
 * management, write-zeroes, driver passthrough). */
static __always_inline __u8 op_of(struct request *rq)
{
	switch (BPF_CORE_READ(rq, cmd_flags) & REQ_OP_MASK) {
	case REQ_OP_READ:
		return OP_block_read;
	case REQ_OP_WRITE:
		return OP_block_write;
	case REQ_OP_DISCARD:
		return OP_block_discard;
	case REQ_OP_FLUSH:
		return OP_block_flush;
	}
	return 0;
}

/* The partition the request was submitted to; a request without one
 * (the disk's own) is named by the disk. */
static __always_inline __u32 dev_of(struct request *rq)
{
	struct gendisk *disk;

	if (BPF_CORE_READ(rq, part))
		return BPF_CORE_READ(rq, part, bd_dev);
	disk = BPF_CORE_READ(rq, q, disk);
	if (!disk)
		return 0;
	return ((__u32)BPF_CORE_READ(disk, major) << MINORBITS) | (__u32)BPF_CORE_READ(disk, first_minor);
}

/* Remembers the request's submitter: from's, or else the current task. */
static __always_inline struct inflight *remember(__u64 key, struct inflight *from)
{
	struct inflight fresh = {};

	if (from) {
		__builtin_memcpy(&fresh.hdr, &from->hdr, sizeof(fresh.hdr));
		fresh.hdr.ktime_ns = 0;
		fresh.hdr.op = 0;
	} else {
		hdr_current(&fresh.hdr, 0, SRC_io, 0, 0);
	}
	if (bpf_map_update_elem(&inflight, &key, &fresh, BPF_ANY)) {
		count(&errors, ERR_CALL_STATE_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&inflight, &key);
}

/* A request slot that still holds an issued request when it is submitted
 * or issued anew: the old request's completion never ran the programs.
 * Linux 6.18 was seen to do that for about one completion in a thousand
 * (the block_rq_complete trace event fired, no BPF program on the
 * completion path ran, no recursion miss was counted). Its record is lost,
 * and counted in missed, apart from the ring's drops, so that a kernel quirk
 * does not read as the tracer falling behind; one whose slot is never
 * reused goes uncounted. */
static __always_inline bool lost(struct inflight *f)
{
	if (!f || !f->hdr.ktime_ns || f->requeued)
		return false;
	count(&missed, 0);
	return true;
}

SEC("tp_btf/block_io_start")
int BPF_PROG(block_io_start, struct request *rq)
{
	__u64 key = (__u64)rq;
	struct inflight *f;

	if (!op_of(rq))
		return 0;
	/* A new request: a requeued one left here was lost too. */
	f = bpf_map_lookup_elem(&inflight, &key);
	if (f && f->hdr.ktime_ns)
		count(&missed, 0);
	remember(key, NULL);
	return 0;
}

/* The request was merged into another before issue and freed. */
SEC("tp_btf/block_rq_merge")
int BPF_PROG(block_rq_merge, struct request *rq)
{
	__u64 key = (__u64)rq;

	bpf_map_delete_elem(&inflight, &key);
	return 0;
}

/* The first request waiting on a flush request in flight: the flush
 * machinery keeps its waiters on flush_queue[flush_running_idx] of the
 * hardware queue until the flush completes. Read without its lock: a list
 * changing meanwhile yields a request not in the map, and the dispatcher
 * is charged instead. */
static __always_inline struct inflight *flush_waiter(struct request *rq)
{
	struct blk_flush_queue *fq = BPF_CORE_READ(rq, mq_hctx, fq);
	struct list_head *head, *first;
	__u64 waiter;

	if (!fq)
		return NULL;
	if (BPF_CORE_READ_BITFIELD_PROBED(fq, flush_running_idx))
		head = &fq->flush_queue[1];
	else
		head = &fq->flush_queue[0];
	first = BPF_CORE_READ(head, next);
	if (!first || first == head)
		return NULL;
	waiter = (__u64)first - bpf_core_field_offset(struct request, queuelist);
	return bpf_map_lookup_elem(&inflight, &waiter);
}

/* The driver could not take the request: it will be issued again, and the
 * record times the attempt that completes. */
SEC("tp_btf/block_rq_requeue")
int BPF_PROG(block_rq_requeue, struct request *rq)
{
	__u64 key = (__u64)rq;
	struct inflight *f = bpf_map_lookup_elem(&inflight, &key);

	if (f)
		f->requeued = 1;
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(block_rq_issue, struct request *rq)
{
	__u64 key = (__u64)rq;
	__u8 op = op_of(rq);
	struct inflight *f;

	if (!op) {
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	f = bpf_map_lookup_elem(&inflight, &key);
	if (!f || lost(f))
		f = remember(key, op == OP_block_flush ? flush_waiter(rq) : NULL);
	if (!f)
		return 0;
	f->requeued = 0;
	f->hdr.ktime_ns = bpf_ktime_get_ns();
	f->hdr.op = op;
	f->sector = BPF_CORE_READ(rq, __sector);
	f->bytes = BPF_CORE_READ(rq, __data_len);
	f->dev = dev_of(rq);
	return 0;
}

/* Fires once per completed piece: a driver may complete a request in parts
 * (nr_bytes below what is left), and the record waits for the last. */
SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq;
	__u8 op = op_of(rq);
	struct inflight *f;
	struct io_rec *r;

	if (!op) {
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	if (nr_bytes < BPF_CORE_READ(rq, __data_len))
		return 0;
	f = bpf_map_lookup_elem(&inflight, &key);
	if (!f) {
		/* A zero-byte write completing unseen is the flush machinery
		 * finishing an empty preflush request it never issued. */
		if (nr_bytes || op == OP_block_flush)
			count(&unmatched, 0);
		return 0;
	}
	if (!f->hdr.ktime_ns) {
		/* Submitted, never issued: an empty preflush request whose
		 * flush has its own record. */
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	r = rec_reserve(&io_events, sizeof(struct io_rec), SRC_io);
	if (r) {
		__builtin_memcpy(&r->hdr, &f->hdr, sizeof(r->hdr));
		r->dur_ns = bpf_ktime_get_ns() - f->hdr.ktime_ns;
		if (f->hdr.op == OP_block_flush) {
			r->args[0] = f->dev;
			r->args[1] = r->args[2] = 0;
		} else {
			r->args[0] = f->bytes;
			r->args[1] = f->sector;
			r->args[2] = f->dev;
		}
		r->ret = error;
		r->_pad = 0;
		rec_submit(&io_events, r);
	}
	bpf_map_delete_elem(&inflight, &key);
	return 0;
}
