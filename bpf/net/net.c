// SPDX-License-Identifier: GPL-2.0-only OR MIT
//go:build ignore

/* TCP retransmissions (source tcp), host-wide, and socket sends and
 * receives of traced processes (source net), from tracepoints only.
 *
 * A retransmission often runs in softirq or a timer, on whatever task the
 * CPU was running: its PID is not the socket owner's, so the record is
 * kept for every socket, and the addresses say whose connection it was.
 * Sends and receives are the send/recv system-call families
 * (sendto, sendmsg, recvfrom, recvmsg: what send(2), recv(2) and Python's
 * socket methods reach), timed from entry to exit; read(2) and write(2) on
 * a socket are not told apart from files here. */
#include "ingero.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct net_rec {
	struct rec_hdr hdr;
	__u64 dur_ns;
	__u64 args[4];
	__s32 ret;
	__u32 _pad;
};

struct net_rec *const net_rec_type __attribute__((unused)) = 0;

struct sock_call {
	__u64 t0;
	__u64 fd;
	__u8 op;
	__u8 _pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sock_call);
} sock_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} net_events SEC(".maps");

#define AF_INET 2

static __always_inline void emit(__u64 t0, __u64 dur, __u8 src, __u8 op, const __u64 *a, __s32 ret)
{
	struct net_rec *r = rec_reserve(&net_events, sizeof(*r), src);

	if (!r)
		return;
	hdr_current(&r->hdr, t0, src, op, dur ? 0 : REC_ENTRY_ONLY);
	r->dur_ns = dur;
	r->args[0] = a[0];
	r->args[1] = a[1];
	r->args[2] = a[2];
	r->args[3] = a[3];
	r->ret = ret;
	r->_pad = 0;
	rec_submit(&net_events, r);
}

/* args: saddr, daddr (IPv4, network byte order; 0 for IPv6), sport<<16 |
 * dport, address family. */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tcp_retransmit, const struct sock *sk, const struct sk_buff *skb)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__u64 a[4] = { 0, 0, (__u64)sport << 16 | dport, family };

	if (family == AF_INET) {
		a[0] = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		a[1] = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	}
	emit(bpf_ktime_get_ns(), 0, SRC_tcp, OP_tcp_retransmit, a, 0);
	return 0;
}

static __always_inline int sock_enter(struct trace_event_raw_sys_enter *ctx, __u8 op)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct sock_call c = { .t0 = bpf_ktime_get_ns(), .op = op };

	if (!target_of(id >> 32))
		return 0;
	c.fd = BPF_CORE_READ(ctx, args[0]);
	if (bpf_map_update_elem(&sock_calls, &tid, &c, BPF_ANY))
		count(&errors, ERR_CALL_STATE_FULL);
	return 0;
}

/* args: fd, bytes (the return value when it succeeded). */
static __always_inline int sock_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sock_call *c = bpf_map_lookup_elem(&sock_calls, &tid);
	long ret = BPF_CORE_READ(ctx, ret);

	if (!c)
		return 0;
	__u64 a[4] = { c->fd, ret > 0 ? ret : 0, 0, 0 };
	__u64 now = bpf_ktime_get_ns();

	emit(c->t0, now > c->t0 ? now - c->t0 : 1, SRC_net, c->op, a, ret < 0 ? (__s32)ret : 0);
	bpf_map_delete_elem(&sock_calls, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int send_to(struct trace_event_raw_sys_enter *ctx) { return sock_enter(ctx, OP_net_send); }
SEC("tracepoint/syscalls/sys_enter_sendmsg")
int send_msg(struct trace_event_raw_sys_enter *ctx) { return sock_enter(ctx, OP_net_send); }
SEC("tracepoint/syscalls/sys_enter_recvfrom")
int recv_from(struct trace_event_raw_sys_enter *ctx) { return sock_enter(ctx, OP_net_recv); }
SEC("tracepoint/syscalls/sys_enter_recvmsg")
int recv_msg(struct trace_event_raw_sys_enter *ctx) { return sock_enter(ctx, OP_net_recv); }
SEC("tracepoint/syscalls/sys_exit_sendto")
int send_to_exit(struct trace_event_raw_sys_exit *ctx) { return sock_exit(ctx); }
SEC("tracepoint/syscalls/sys_exit_sendmsg")
int send_msg_exit(struct trace_event_raw_sys_exit *ctx) { return sock_exit(ctx); }
SEC("tracepoint/syscalls/sys_exit_recvfrom")
int recv_from_exit(struct trace_event_raw_sys_exit *ctx) { return sock_exit(ctx); }
SEC("tracepoint/syscalls/sys_exit_recvmsg")
int recv_msg_exit(struct trace_event_raw_sys_exit *ctx) { return sock_exit(ctx); }
