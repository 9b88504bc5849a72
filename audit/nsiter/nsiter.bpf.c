//go:build ignore

// An iter/task_file program: for every open file of every process (each
// descriptor table once) that is a TCP socket, it writes to the iterator's
// seq file what a sock_diag dump would say of the socket, with the
// network namespace it belongs to and the process holding it (struct
// socket_record); a socket already written (another descriptor of it, a
// forked process) gets a short record naming the other holder
// (struct holder_record). See docs/kernel-facts.md §48.
#include "nsiter.h"

// READ copies a field of a kernel object that a BTF pointer may not reach.
#define READ(dst, field) bpf_probe_read_kernel(&(dst), sizeof(dst), &(field))

char LICENSE[] SEC("license") = "Dual MIT/GPL";

// The sockets written so far, by inode, with the descriptor that wrote
// each (tgid << 32 | fd): when the seq file's buffer is full the kernel
// runs the program again on the same descriptor for the next read, which
// must write the whole record again. User space sizes the map to the open
// files of the host; when it is full a socket is written whole again, and
// user space drops the copy.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

#define KIND_SOCKET 1
#define KIND_HOLDER 2

struct holder_record {
	__u32 kind;
	__u32 netns;
	__u32 inode;
	__u32 tgid;
};

struct socket_record {
	__u32 kind;
	__u32 netns;
	__u32 inode;
	__u32 tgid;
	__u8 family;
	__u8 state;
	__u16 local_port;  // host order
	__u16 remote_port; // network order
	__u16 pad;
	__u32 rqueue;   // accept queue (LISTEN) or unread bytes, as idiag_rqueue
	__u32 backlog;  // sk_max_ack_backlog
	__u32 drops;    // sk_drops
	__u32 idle;     // jiffies since data last arrived (tcpi_last_data_recv)
	__u32 requests; // a listener's request sockets (icsk_accept_queue.qlen)
	__u32 pad2;
	__u8 local[16];
	__u8 remote[16];
};

static void addresses(struct sock *sk, struct socket_record *r)
{
	if (r->family == AF_INET) {
		__builtin_memcpy(r->local, (void *)&sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(r->remote, (void *)&sk->__sk_common.skc_daddr, 4);
		return;
	}
	__builtin_memcpy(r->local, (void *)&sk->__sk_common.skc_v6_rcv_saddr, 16);
	__builtin_memcpy(r->remote, (void *)&sk->__sk_common.skc_v6_daddr, 16);
}

SEC("iter/task_file")
int tcp_sockets(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct task_struct *task = ctx->task;
	if (!file || !task)
		return 0;
	struct inode *inode = file->f_inode;
	if (!inode || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	struct socket *sock = bpf_sock_from_file(file);
	if (!sock || !sock->sk)
		return 0;
	struct sock *sk = sock->sk;
	__u16 family = sk->__sk_common.skc_family;
	if ((family != AF_INET && family != AF_INET6) || sk->sk_type != SOCK_STREAM ||
	    sk->sk_protocol != IPPROTO_TCP)
		return 0;
	// A full TCP socket (every socket a descriptor holds is full): its
	// tcp_sock fields lie past struct sock, which the verifier will not let
	// a BTF pointer read, so they are read with bpf_probe_read_kernel.
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u32 ino = (__u32)inode->i_ino;
	__u32 netns = sk->__sk_common.skc_net.net->ns.inum;
	__u64 who = (__u64)task->tgid << 32 | ctx->fd;
	__u64 *first = bpf_map_lookup_elem(&seen, &ino);
	if (first && *first != who) {
		struct holder_record h = {.kind = KIND_HOLDER, .netns = netns, .inode = ino, .tgid = task->tgid};
		bpf_seq_write(ctx->meta->seq, &h, sizeof(h));
		return 0;
	}
	if (!first)
		bpf_map_update_elem(&seen, &ino, &who, BPF_ANY);
	struct socket_record r = {
		.kind = KIND_SOCKET,
		.netns = netns,
		.inode = ino,
		.tgid = task->tgid,
		.family = family,
		.state = sk->__sk_common.skc_state,
		.local_port = sk->__sk_common.skc_num,
		.remote_port = sk->__sk_common.skc_dport,
		.backlog = sk->sk_max_ack_backlog,
		.drops = sk->sk_drops.counter,
	};
	if (r.state == TCP_LISTEN) {
		r.rqueue = sk->sk_ack_backlog;
		READ(r.requests, tp->inet_conn.icsk_accept_queue.qlen.counter);
	} else {
		__u32 nxt = 0, copied = 0, lrcv = 0;
		READ(nxt, tp->rcv_nxt);
		READ(copied, tp->copied_seq);
		READ(lrcv, tp->inet_conn.icsk_ack.lrcvtime);
		int unread = (int)(nxt - copied);
		r.rqueue = unread > 0 ? unread : 0;
		r.idle = (__u32)bpf_jiffies64() - lrcv;
	}
	addresses(sk, &r);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
