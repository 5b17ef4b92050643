// SPDX-License-Identifier: GPL-2.0-only OR MIT
//go:build ignore

/* Memory stalls of traced threads: page faults (summed in the kernel), and
 * direct/cgroup reclaim and direct compaction (one record each). Tracepoints
 * only: kernels under lockdown refuse kprobes and fentry/fexit.
 *
 * Faults are the high-volume part: a thread touching fresh memory takes a
 * minor fault per page, hundreds of thousands a second. A record each would
 * cost more than the fault, so each thread's faults are summed per kind in
 * fault_sums (count, stalled time, writes, instruction fetches) and user
 * space turns the growth of every entry into one event a second. The sums
 * only grow and have one writer (the thread itself), so nothing is lost
 * between reads.
 *
 * No tracepoint marks a fault's end, so a fault is followed from its start
 * (page_fault_user: address, user registers, error code) to the thread's
 * next kernel entry seen: its next fault, or a switch-out whose user
 * registers are no longer the fault's. Whether it was major is what the
 * kernel says: task->maj_flt grew meanwhile (the counts are the kernel's
 * own maj_flt). Its class is whether it went through filemap_fault (the
 * mm_filemap_fault tracepoint, Linux 6.10+; before, the mapping of the
 * address): a file mapping (the file was read) or anonymous or shared
 * memory (a swap-in, from a swap device or zswap). Its time is what the thread spent blocked
 * (uninterruptible, off the CPU) while still in that fault: the IO wait
 * that makes a major fault slow; the CPU time of a fault (~1 us) is not
 * measured. Reclaim and compaction have begin/end tracepoints and their
 * own records; a block inside them is theirs, not the fault's, so the kinds
 * add up without overlap.
 *
 * Reclaim and compaction stall the thread for microseconds to seconds and
 * come at most thousands a second: one record each, with its duration.
 * Compaction's begin/end also fire in kcompactd, which is never traced, so
 * a traced thread's compaction is always direct. */
#include "ingero.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The mm_reclaim and mm_compaction record. mm_reclaim args: kind (1 direct:
 * the host is short of memory, 2 cgroup: the thread's cgroup is at its
 * limit), pages reclaimed, allocation order; mm_compaction args: order,
 * compaction status. */
struct mem_rec {
	struct rec_hdr hdr;
	__u64 dur_ns;
	__u64 args[3];
};

/* Keeps the record type in the object's BTF (see cuda/calls.h). */
struct mem_rec *const mem_rec_type __attribute__((unused)) = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} mem_events SEC(".maps");

enum fault_kind {
	FAULT_MINOR = 0,
	FAULT_FILE = 1, /* major, on a file mapping: the file was read */
	FAULT_SWAP = 2, /* major, on anonymous memory: a swap-in */
};

struct fault_key {
	__u32 pid;
	__u32 tid;
	__u32 kind;
};

/* What one thread's faults of one kind added up to since tracing began. */
struct fault_sum {
	__u64 first_ns; /* ktime of the first one */
	__u64 faults;
	__u64 total_ns;
	__u64 max_ns;
	__u64 writes;
	__u64 fetches; /* instruction fetches */
	__u64 cgroup_id;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fault_key);
	__type(value, struct fault_sum);
} fault_sums SEC(".maps");

/* A traced thread inside a fault, reclaim or compaction. */
struct mem_thread {
	__u64 fault_ns; /* 0: no fault open */
	__u64 fault_ip; /* user registers at the fault: still these, still in it */
	__u64 fault_sp;
	__u64 error_code;
	__u64 maj_flt; /* task->maj_flt when the fault started */
	__u64 blocked_ns; /* blocked off the CPU inside the fault */
	__u64 off_ns; /* switched out blocked inside the fault, at */
	__u64 reclaim_ns;
	__u64 compact_ns;
	__u32 fault_file; /* the address lies in a file mapping */
	__u32 reclaim_kind;
	__s32 reclaim_order;
	__s32 compact_order;
};

/* LRU: the entry of a thread that exits has nothing to finish. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct mem_thread);
} threads SEC(".maps");

#define RECLAIM_DIRECT 1
#define RECLAIM_CGROUP 2

static __always_inline struct mem_thread *thread_of(bool create)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct mem_thread *t;

	if (!target_of(id >> 32))
		return NULL;
	t = bpf_map_lookup_elem(&threads, &tid);
	if (t || !create)
		return t;
	struct mem_thread fresh = {};
	if (bpf_map_update_elem(&threads, &tid, &fresh, BPF_NOEXIST) && bpf_map_lookup_elem(&threads, &tid) == NULL) {
		count(&errors, ERR_CALL_STATE_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&threads, &tid);
}

static __always_inline void add_fault(struct mem_thread *t, __u32 pid, __u32 tid, __u32 kind, __u64 faults)
{
	struct fault_key k = {.pid = pid, .tid = tid, .kind = kind};
	struct fault_sum *s = bpf_map_lookup_elem(&fault_sums, &k);

	if (!s) {
		struct fault_sum fresh = {.first_ns = t->fault_ns, .cgroup_id = bpf_get_current_cgroup_id()};

		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		if (bpf_map_update_elem(&fault_sums, &k, &fresh, BPF_NOEXIST) && !bpf_map_lookup_elem(&fault_sums, &k)) {
			count(&errors, ERR_SUMMARY_FULL);
			return;
		}
		s = bpf_map_lookup_elem(&fault_sums, &k);
		if (!s)
			return;
	}
	/* One writer per entry (the thread); atomics keep user space's reads
	 * of single fields whole. */
	__sync_fetch_and_add(&s->faults, faults);
	__sync_fetch_and_add(&s->total_ns, t->blocked_ns);
	if (t->blocked_ns > s->max_ns)
		s->max_ns = t->blocked_ns;
	if (t->error_code & X86_PF_WRITE)
		__sync_fetch_and_add(&s->writes, 1);
	if (t->error_code & X86_PF_INSTR)
		__sync_fetch_and_add(&s->fetches, 1);
}

/* Ends the open fault of the current thread: major when maj_flt grew since
 * it started (by more than one when the kernel also faulted pages in for
 * a system call meanwhile, counted with it). */
static __always_inline void close_fault(struct mem_thread *t, struct task_struct *task, __u32 pid, __u32 tid)
{
	__u64 maj = BPF_CORE_READ(task, maj_flt);

	if (!t->fault_ns)
		return;
	if (maj > t->maj_flt)
		add_fault(t, pid, tid, t->fault_file ? FAULT_FILE : FAULT_SWAP, maj - t->maj_flt);
	else
		add_fault(t, pid, tid, FAULT_MINOR, 1);
	t->fault_ns = 0;
}

/* Set at load on kernels without the mm_filemap_fault tracepoint (before
 * Linux 6.10). */
const volatile __u32 classify_by_vma = 0;

static long vma_is_file(struct task_struct *task, struct vm_area_struct *vma, void *file)
{
	*(__u32 *)file = BPF_CORE_READ(vma, vm_file) != NULL;
	return 0;
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(page_fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = bpf_get_current_task_btf();
	struct mem_thread *t = thread_of(true);
	__u32 file = 0;

	if (!t)
		return 0;
	close_fault(t, task, id >> 32, (__u32)id);
	/* Without mm_filemap_fault the mapping is looked up now (by the
	 * fault's end it may be gone): with interrupts still off here the
	 * kernel releases the mmap lock through an irq_work, a self-IPI that
	 * costs a VM microseconds a fault, hence only as a fallback. A lookup
	 * that finds the lock taken counts the fault as anonymous. */
	if (classify_by_vma)
		bpf_find_vma(task, address, vma_is_file, &file, 0);
	t->fault_file = file;
	t->fault_ns = bpf_ktime_get_ns();
	t->fault_ip = BPF_CORE_READ(regs, ip);
	t->fault_sp = BPF_CORE_READ(regs, sp);
	t->error_code = error_code;
	t->maj_flt = BPF_CORE_READ(task, maj_flt);
	t->blocked_ns = 0;
	t->off_ns = 0;
	return 0;
}

/* The open fault went to the page cache of a file (filemap_fault; shmem
 * has its own fault handler, and its pages come back from swap). */
SEC("tp_btf/mm_filemap_fault")
int BPF_PROG(filemap_fault, struct address_space *mapping, unsigned long index)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mem_thread *t = bpf_map_lookup_elem(&threads, &tid);

	if (t && t->fault_ns)
		t->fault_file = 1;
	return 0;
}

#define TASK_UNINTERRUPTIBLE_BIT 0x2
#define TASK_DEAD_BIT 0x80

/* A traced thread leaving the CPU while in a fault either blocks inside it
 * (uninterruptible, the fault's user registers unchanged) or has left it:
 * then the fault is closed. Coming back ends a block. The thread's entry
 * is found without the target map: at its last switch-out the process may
 * already be untracked (sched_process_exit), and its last fault is still
 * counted then. */
SEC("tp_btf/sched_switch")
int BPF_PROG(mem_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tid = BPF_CORE_READ(prev, pid);
	struct mem_thread *t = bpf_map_lookup_elem(&threads, &tid);
	__u64 now = 0;
	unsigned int state;

	if (t) {
		state = BPF_CORE_READ(prev, __state);
		if (t->fault_ns) {
			struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(prev);

			if (BPF_CORE_READ(regs, ip) != t->fault_ip || BPF_CORE_READ(regs, sp) != t->fault_sp ||
			    (state & TASK_DEAD_BIT)) {
				close_fault(t, prev, BPF_CORE_READ(prev, tgid), tid);
			} else if (!preempt && (state & TASK_UNINTERRUPTIBLE_BIT) && !t->reclaim_ns && !t->compact_ns) {
				now = bpf_ktime_get_ns();
				t->off_ns = now;
			}
		}
		if (state & TASK_DEAD_BIT)
			bpf_map_delete_elem(&threads, &tid);
	}
	tid = BPF_CORE_READ(next, pid);
	t = bpf_map_lookup_elem(&threads, &tid);
	if (t && t->off_ns) {
		if (!now)
			now = bpf_ktime_get_ns();
		t->blocked_ns += now - t->off_ns;
		t->off_ns = 0;
	}
	return 0;
}

static __always_inline void reclaim_begin(int order, __u32 kind)
{
	struct mem_thread *t = thread_of(true);

	if (!t)
		return;
	t->reclaim_ns = bpf_ktime_get_ns();
	t->reclaim_kind = kind;
	t->reclaim_order = order;
}

static __always_inline void emit(struct mem_thread *t, __u8 op, __u64 start, __u64 now, __u64 a0, __u64 a1, __u64 a2)
{
	struct mem_rec *r;

	r = rec_reserve(&mem_events, sizeof(*r), SRC_host);
	if (!r)
		return;
	hdr_current(&r->hdr, start, SRC_host, op, 0);
	r->dur_ns = now - start;
	r->args[0] = a0;
	r->args[1] = a1;
	r->args[2] = a2;
	rec_submit(&mem_events, r);
}

static __always_inline void reclaim_end(unsigned long reclaimed)
{
	struct mem_thread *t = thread_of(false);
	__u64 start;

	if (!t || !t->reclaim_ns)
		return;
	start = t->reclaim_ns;
	t->reclaim_ns = 0;
	emit(t, OP_mm_reclaim, start, bpf_ktime_get_ns(), t->reclaim_kind, reclaimed, t->reclaim_order);
}

SEC("tp_btf/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(direct_reclaim_begin, int order, gfp_t gfp)
{
	reclaim_begin(order, RECLAIM_DIRECT);
	return 0;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(direct_reclaim_end, unsigned long reclaimed)
{
	reclaim_end(reclaimed);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(memcg_reclaim_begin, int order, gfp_t gfp)
{
	reclaim_begin(order, RECLAIM_CGROUP);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(memcg_reclaim_end, unsigned long reclaimed)
{
	reclaim_end(reclaimed);
	return 0;
}

SEC("tp_btf/mm_compaction_begin")
int BPF_PROG(compaction_begin, struct compact_control *cc)
{
	struct mem_thread *t = thread_of(true);

	if (!t)
		return 0;
	t->compact_ns = bpf_ktime_get_ns();
	t->compact_order = BPF_CORE_READ(cc, order);
	return 0;
}

SEC("tp_btf/mm_compaction_end")
int BPF_PROG(compaction_end, struct compact_control *cc, unsigned long zone_start, unsigned long zone_end, bool sync,
	     int status)
{
	struct mem_thread *t = thread_of(false);
	__u64 start;

	if (!t || !t->compact_ns)
		return 0;
	start = t->compact_ns;
	t->compact_ns = 0;
	emit(t, OP_mm_compaction, start, bpf_ktime_get_ns(), (__u64)(__s64)t->compact_order, (__u64)(__s64)status, 0);
	return 0;
}
