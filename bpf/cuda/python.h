/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* --py-walker ebpf (issue #15): the calling thread's CPython frames, read
 * in the kernel, for hosts where user space may not read the traced
 * process's memory (kernel.yama.ptrace_scope 3). Each record gets, per
 * frame, the code object's address and the frame's instruction (3.11+: a
 * pointer into the code; 3.10: f_lasti). The first time a process shows a
 * code object, its file, qualified name, first line and line table are
 * copied into py_codes, where user space reads them to compute the line:
 * line tables are decoded in Go (bpf/stacks/pyline.go), not here. */
#ifndef INGERO_PYTHON_H
#define INGERO_PYTHON_H

#include "ingero.h"

#define PY_FRAMES 32
#define PY_THREADS 64
#define PY_FILE 256
#define PY_NAME 128
#define PY_TABLE 1024
#define PY_SPAN 128 /* bytes of a frame read at once: every version's fields lie below */

/* Where the interpreter keeps what the walk reads, for one process (user
 * space fills it from the version's offsets and the ELF symbols). */
struct py_proc {
	__u64 runtime; /* address of _PyRuntime */
	__u32 gen; /* set per fill: code objects of an exec'd image never alias the old ones */
	__u32 interp_head;
	__u32 threads_head;
	__u32 ts_next;
	__u32 ts_tid; /* native_thread_id (3.11+), or thread_id (pthread_t) */
	__u32 ts_tid_is_pthread; /* 3.10: compare thread_id with the thread's fs base */
	__u32 ts_frame;
	__s32 cframe_frame; /* -1: ts_frame holds the frame itself */
	__u32 frame_span; /* bytes of a frame the walk reads: up to PY_SPAN */
	__u32 fr_previous;
	__u32 fr_code;
	__u32 fr_instr;
	__u32 fr_instr_is_lasti; /* 3.10: a 32-bit f_lasti */
	__s32 fr_owner; /* -1: none */
	__s32 owner_cstack; /* -1: no C-stack shim frames */
	__u32 co_filename;
	__u32 co_name;
	__u32 co_firstlineno;
	__u32 co_linetable;
	__u32 ascii_size;
	__u32 compact_size;
};

struct py_frame {
	__u64 code;
	__u64 instr;
};

/* py_tail.status */
#define PY_NONE 0 /* not a Python process the walker knows */
#define PY_WALKED 1
#define PY_NO_THREAD 2 /* the thread never ran Python */
#define PY_READ_FAILED 3 /* a read of the interpreter's memory failed mid-walk */

struct py_tail {
	__u32 status;
	__u32 gen;
	__u32 nframes;
	__u32 truncated; /* the chain went on past PY_FRAMES */
	struct py_frame frames[PY_FRAMES];
};

struct py_code_key {
	__u32 pid;
	__u32 gen;
	__u64 code;
};

/* One code object as user space needs it. Strings are the str object's
 * raw data: kind bytes a character (1: Latin-1, which covers ASCII, 2:
 * UCS-2, 4: UCS-4). A name longer than its buffer keeps its last bytes. */
struct py_code {
	__s32 first_line;
	__u32 table_size; /* the line table's full size; table_len bytes of it are here */
	__u32 table_len;
	__u32 file_len;
	__u32 file_size; /* the file name's full size in bytes */
	__u32 name_len;
	__u32 name_size;
	__u8 file_kind;
	__u8 name_kind;
	__u16 _pad;
	__u8 file[PY_FILE];
	__u8 name[PY_NAME];
	__u8 table[PY_TABLE];
};

struct py_code *const py_code_type __attribute__((unused)) = 0;
struct py_proc *const py_proc_type __attribute__((unused)) = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct py_proc);
} py_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct py_code_key);
	__type(value, struct py_code);
} py_codes SEC(".maps");

/* Each thread's PyThreadState: the interpreter's thread list is walked
 * once per thread, then the cached one is checked with one read. A thread
 * found in no list (a C++ worker launching for the framework) is not
 * looked for again for PY_MISS_TTL_NS. */
struct py_tstate {
	__u64 ts; /* 0: not found */
	__u64 at; /* when it was looked for */
};

#define PY_MISS_TTL_NS (100 * 1000 * 1000ULL)

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct py_tstate);
} py_tstates SEC(".maps");

struct py_scratch {
	struct py_tail tail;
	struct py_code code;
	__u8 frame[PY_SPAN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct py_scratch);
} py_scratch SEC(".maps");

/* Set at load time by --py-walker ebpf. */
const volatile bool py_walk = false;

static __always_inline __u64 py_u64(__u64 addr, bool *ok)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (void *)addr))
		*ok = false;
	return v;
}

/* The thread's identity as the interpreter records it. */
static __always_inline __u64 py_self_id(const struct py_proc *cfg)
{
	if (cfg->ts_tid_is_pthread) {
		/* glibc and musl on x86-64: pthread_self() is the fs base. */
		struct task_struct *task = bpf_get_current_task_btf();

		return BPF_CORE_READ(task, thread.fsbase);
	}
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline bool py_is_self(const struct py_proc *cfg, __u64 ts, __u64 self, bool *ok)
{
	__u64 id = py_u64(ts + cfg->ts_tid, ok);

	if (!cfg->ts_tid_is_pthread)
		id = (__u32)id;
	return *ok && id == self;
}

static __always_inline __u64 py_thread_state(const struct py_proc *cfg, bool *ok)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct py_tstate *cached = bpf_map_lookup_elem(&py_tstates, &tid), found = {};
	__u64 self = py_self_id(cfg), now = bpf_ktime_get_ns(), ts;

	if (cached && cached->ts && py_is_self(cfg, cached->ts, self, ok))
		return cached->ts;
	if (cached && !cached->ts && now - cached->at < PY_MISS_TTL_NS)
		return 0;
	*ok = true;
	ts = py_u64(py_u64(cfg->runtime + cfg->interp_head, ok) + cfg->threads_head, ok);
	for (int i = 0; i < PY_THREADS && ts && *ok; i++) {
		if (py_is_self(cfg, ts, self, ok)) {
			found.ts = ts;
			break;
		}
		ts = py_u64(ts + cfg->ts_next, ok);
	}
	if (*ok) {
		found.at = now;
		bpf_map_update_elem(&py_tstates, &tid, &found, BPF_ANY);
	}
	return found.ts;
}

/* Copies a compact str object's data, keeping the last max bytes. */
static __always_inline void py_str(const struct py_proc *cfg, __u64 obj, __u8 *dst, __u32 max, __u32 *len,
				   __u32 *size, __u8 *kind)
{
	struct {
		__u64 refcnt, type, length, hash;
		__u32 state;
	} hdr = {};
	__u64 n, data;
	__u32 k;

	*len = 0;
	*size = 0;
	*kind = 0;
	if (!obj || bpf_probe_read_user(&hdr, sizeof(hdr), (void *)obj))
		return;
	k = hdr.state >> 2 & 7;
	if (!(hdr.state >> 5 & 1) || (k != 1 && k != 2 && k != 4) || hdr.length > (1 << 20))
		return;
	data = obj + (hdr.state >> 6 & 1 ? cfg->ascii_size : cfg->compact_size);
	n = hdr.length * k;
	*size = n;
	*kind = k;
	if (n > max) {
		data += n - max;
		n = max;
	}
	/* max is a power of two: the mask tells the verifier what the test did. */
	n &= 2 * max - 1;
	if (n > max)
		return;
	if (n && bpf_probe_read_user(dst, n, (void *)data))
		return;
	*len = n;
}

/* Copies a code object into py_codes unless it is there already. */
static __always_inline void py_note_code(const struct py_proc *cfg, struct py_scratch *s, __u32 pid, __u64 code)
{
	struct py_code_key key = { .pid = pid, .gen = cfg->gen, .code = code };
	struct py_code *c = &s->code;
	__u64 table, n;
	bool ok = true;

	if (bpf_map_lookup_elem(&py_codes, &key))
		return;
	c->first_line = 0;
	if (bpf_probe_read_user(&c->first_line, sizeof(c->first_line), (void *)(code + cfg->co_firstlineno)))
		return;
	py_str(cfg, py_u64(code + cfg->co_filename, &ok), c->file, PY_FILE, &c->file_len, &c->file_size,
	       &c->file_kind);
	py_str(cfg, py_u64(code + cfg->co_name, &ok), c->name, PY_NAME, &c->name_len, &c->name_size,
	       &c->name_kind);
	/* A string that could not be read (paged out): copy it at a later call. */
	if (!c->file_kind || !c->name_kind)
		return;
	table = py_u64(code + cfg->co_linetable, &ok);
	if (!ok || !table)
		return;
	/* A bytes object: ob_size at 16, the data at 32. */
	n = py_u64(table + 16, &ok);
	if (!ok || n > (1 << 20))
		return;
	c->table_size = n;
	if (n > PY_TABLE)
		n = PY_TABLE;
	n &= 2 * PY_TABLE - 1;
	if (n > PY_TABLE)
		return;
	if (n && bpf_probe_read_user(c->table, n, (void *)(table + 32)))
		return;
	c->table_len = n;
	c->_pad = 0;
	bpf_map_update_elem(&py_codes, &key, c, BPF_NOEXIST);
}

struct py_walk_ctx {
	const struct py_proc *cfg;
	struct py_scratch *s;
	__u64 frame;
	__u32 pid;
	__u32 failed;
};

static long py_walk_one(__u32 i, struct py_walk_ctx *w)
{
	const struct py_proc *cfg = w->cfg;
	struct py_scratch *s = w->s;
	struct py_tail *t = &s->tail;
	__u64 code, instr = 0;
	__u32 n = t->nframes, span;

	if (!w->frame)
		return 1;
	if (n >= PY_FRAMES) {
		t->truncated = 1;
		return 1;
	}
	span = cfg->frame_span;
	if (span > PY_SPAN)
		span = PY_SPAN;
	if (bpf_probe_read_user(s->frame, span, (void *)w->frame)) {
		w->failed = 1;
		return 1;
	}
	if (cfg->fr_owner >= 0 && s->frame[cfg->fr_owner & (PY_SPAN - 1)] == cfg->owner_cstack)
		goto next; /* a shim between C and Python: no code */
	code = *(__u64 *)&s->frame[cfg->fr_code & (PY_SPAN - 8)];
	if (cfg->fr_instr_is_lasti)
		instr = (__u64)(__s64) * (__s32 *)&s->frame[cfg->fr_instr & (PY_SPAN - 4)];
	else
		instr = *(__u64 *)&s->frame[cfg->fr_instr & (PY_SPAN - 8)];
	if (!code)
		goto next;
	py_note_code(cfg, s, w->pid, code);
	t->frames[n & (PY_FRAMES - 1)].code = code;
	t->frames[n & (PY_FRAMES - 1)].instr = instr;
	t->nframes = n + 1;
next:
	w->frame = *(__u64 *)&s->frame[cfg->fr_previous & (PY_SPAN - 8)];
	return 0;
}

/* Fills t with the current thread's Python frames, innermost first. */
static __always_inline void py_capture(struct py_tail *t)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	const struct py_proc *cfg = bpf_map_lookup_elem(&py_procs, &pid);
	struct py_scratch *s = bpf_map_lookup_elem(&py_scratch, &zero);
	struct py_walk_ctx w = {};
	bool ok = true;
	__u64 ts;

	t->status = PY_NONE;
	t->gen = 0;
	t->nframes = 0;
	t->truncated = 0;
	if (!cfg || !s)
		return;
	t->gen = cfg->gen;
	ts = py_thread_state(cfg, &ok);
	if (!ts) {
		t->status = ok ? PY_NO_THREAD : PY_READ_FAILED;
		return;
	}
	w.frame = py_u64(ts + cfg->ts_frame, &ok);
	if (ok && w.frame && cfg->cframe_frame >= 0)
		w.frame = py_u64(w.frame + cfg->cframe_frame, &ok);
	if (!ok) {
		t->status = PY_READ_FAILED;
		return;
	}
	s->tail.nframes = 0;
	s->tail.truncated = 0;
	w.cfg = cfg;
	w.s = s;
	w.pid = pid;
	/* Shim frames take a turn without a slot: allow a few more turns. */
	bpf_loop(PY_FRAMES + 8, py_walk_one, &w, 0);
	__builtin_memcpy(t->frames, s->tail.frames, sizeof(t->frames));
	t->nframes = s->tail.nframes;
	t->truncated = s->tail.truncated;
	t->status = w.failed ? PY_READ_FAILED : PY_WALKED;
}

#endif
