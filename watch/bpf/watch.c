// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tcpaudit watch: the TCP connection lifecycle from kernel tracepoints,
 * aggregated in maps that userspace reads at an interval. Every program is
 * a BTF-enabled raw tracepoint (tp_btf): its arguments are the
 * tracepoint's TP_PROTO, typed by the kernel's BTF.
 */
#include "kernel.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NSTATES 16
#define NBUCKETS 64

/* The network namespace (inode) to watch; 0 watches every namespace. */
const volatile __u32 filter_netns = 0;

/* One socket's current state, since when, and the process it belongs to:
 * the last process seen moving it in process context (see owned_by_task).
 * comm is the name of the process named, which the entry keeps for the
 * next socket at the same address: its name is read again only when
 * another process owns that socket (comm names pid only when pid is not
 * 0). */
struct sockinfo {
	__u64 since_ns;
	__u32 pid;
	__u32 netns;
	__u8 state;
	__u8 family;
	__u16 lport;
	__u16 dport;
	__u8 reset; /* an RST was sent or received on the socket */
	__u8 pad;
	__u32 named;
	char comm[16];
	__u8 saddr[16];
	__u8 daddr[16];
};

/* A TIME_WAIT creation: by process and destination. */
struct twkey {
	__u32 pid;
	__u32 netns;
	char comm[16];
	__u8 daddr[16];
	__u16 dport;
	__u8 family;
	__u8 pad;
};

/* A remote peer (RSTs: port 0) or destination (retransmits), or a local
 * listener (SYN-ACK retransmits). */
struct addrkey {
	__u8 addr[16];
	__u32 netns;
	__u16 port;
	__u8 family;
	__u8 dir;
};

struct owner {
	__u32 pid;
	char comm[16];
};

struct listenkey {
	__u32 netns;
	__u16 port;
	__u16 pad;
};

/* RST directions in addrkey.dir. */
#define RST_SENT 0
#define RST_RECEIVED 1

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSTATES * NSTATES);
	__type(key, __u32);
	__type(value, __u64);
} transitions SEC(".maps");

/* Time spent per state by the sockets that left it: log2 buckets of
 * microseconds, the longest stay and the total, nanoseconds. One value
 * per state, so that a transition makes one lookup. */
struct statetime {
	__u64 buckets[NBUCKETS];
	__u64 max_ns;
	__u64 sum_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSTATES);
	__type(key, __u32);
	__type(value, struct statetime);
} state_time SEC(".maps");

/*
 * The sockets' entries: a slot of the array at a hash of the socket's
 * address, which holds the address as its tag, and for a socket whose slot
 * another live socket holds, an entry in the LRU hash socks (see entry()).
 * A slot is found in a few instructions, without the hash table's hashing,
 * bucket walk and LRU bookkeeping. 4,096 slots: userspace reads them all
 * every interval (360 KiB), and a host with more live sockets than that
 * keeps the rest in the hash.
 */
#define SLOT_BITS 12

/* The slots used, 2^slot_bits (at most 2^SLOT_BITS): fewer only in tests
 * of the sockets whose slot another holds. */
const volatile __u32 slot_bits = SLOT_BITS;

struct slot {
	__u64 sk;
	struct sockinfo si;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << SLOT_BITS);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct sockinfo);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct listenkey);
	__type(value, struct owner);
} listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 8192);
	__type(key, struct twkey);
	__type(value, __u64);
} timewait SEC(".maps");

/* A connection by its namespace and 4-tuple. */
struct tuplekey {
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 netns;
	__u16 lport;
	__u16 dport;
	__u8 family;
	__u8 pad[3];
};

/* Sockets handed to a timewait sock of substate FIN_WAIT2 (no FIN from
 * the peer yet), by 4-tuple: their TIME_WAIT is counted if the peer's FIN
 * reaches the timewait sock. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tuplekey);
	__type(value, struct sockinfo);
} fin_wait2 SEC(".maps");

/* TIME_WAIT creations by namespace. timewait's keys (process and
 * destination) are many where this host closes accepted connections first
 * (each has a client's port for destination), and its LRU then evicts
 * counts: these totals stay exact, and the difference says how many the
 * keyed counts lost. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} timewait_netns SEC(".maps");

/* FINs that reached a tw sock of substate TIME_WAIT while no socket awaited
 * them, by 4-tuple, with the time they came (ns): tcp_time_wait() hashes
 * the tw sock in before tcp_done() traces the move to CLOSE, and a FIN
 * coming in between, on another CPU, finds no connection awaiting it yet.
 * await_fin looks here (docs/kernel-facts.md §55). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct tuplekey);
	__type(value, __u64);
} early_fins SEC(".maps");

/* An early FIN older than this is another connection's (a retransmitted
 * FIN to a TIME_WAIT of the same 4-tuple). */
#define EARLY_FIN_NS 1000000000ULL

/* Orphans handed to a tw sock of substate FIN_WAIT2, by process and
 * destination as TIME_WAIT is, and how many of them the peer's FIN then
 * turned into a TIME_WAIT: the rest hold their port for tcp_fin_timeout. */
struct orphan {
	__u64 handed;
	__u64 answered;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 8192);
	__type(key, struct twkey);
	__type(value, struct orphan);
} orphans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct addrkey);
	__type(value, __u64);
} resets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct addrkey);
	__type(value, __u64);
} synack_retrans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct addrkey);
	__type(value, __u64);
} retrans SEC(".maps");

/* Events lost to a map write the kernel refused: a program that
 * interrupted another holding a lock of the same map's buckets on this CPU
 * (a softirq's transition on top of a system call's) gets EBUSY rather
 * than wait (docs/kernel-facts.md §56). Read with the programs' skipped
 * runs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} refused SEC(".maps");

static __always_inline void lost(void)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&refused, &k);
	if (n)
		*n += 1;
}

static __always_inline void add(void *map, const void *key, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(map, key);
	if (v) {
		*v += n;
		return;
	}
	if (bpf_map_update_elem(map, key, &n, BPF_NOEXIST) == 0)
		return;
	v = bpf_map_lookup_elem(map, key); /* another CPU inserted it */
	if (v)
		*v += n;
	else
		lost();
}

static __always_inline __u32 netns_of(const struct sock *sk)
{
	return sk->__sk_common.skc_net.net->ns.inum;
}

static __always_inline int skip(__u32 netns)
{
	return filter_netns != 0 && netns != filter_netns;
}

/* remote copies the peer's address of sk into addr and returns its family.
 * remote and local write all 16 bytes of addr: an IPv4 address is
 * followed by zeros, also where addr held an IPv6 address before (an entry
 * reused by the next socket at the same address), or the keys made from it
 * would not match those made from a zeroed key. */
static __always_inline __u8 remote(const struct sock *sk, __u8 *addr)
{
	__u8 family = sk->__sk_common.skc_family;
	if (family == AF_INET6) {
		bpf_probe_read_kernel(addr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		__be32 a = sk->__sk_common.skc_daddr;
		__builtin_memset(addr, 0, 16);
		__builtin_memcpy(addr, &a, 4);
	}
	return family;
}

static __always_inline void local(const struct sock *sk, __u8 *addr)
{
	if (sk->__sk_common.skc_family == AF_INET6) {
		bpf_probe_read_kernel(addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	} else {
		__be32 a = sk->__sk_common.skc_rcv_saddr;
		__builtin_memset(addr, 0, 16);
		__builtin_memcpy(addr, &a, 4);
	}
}

/*
 * owned_by_task reports whether a transition is made by a system call of
 * the socket's process, so that the current task is its owner: connect()
 * (-> SYN_SENT), listen() (-> LISTEN), close() or shutdown() (-> FIN_WAIT1,
 * CLOSE_WAIT -> LAST_ACK, LISTEN -> CLOSE). Every other transition is
 * driven by a received packet or a timer, in softirq context or on
 * whichever task happens to process the packet (on loopback, the peer's),
 * so the current task says nothing about the socket.
 */
static __always_inline int owned_by_task(int old, int new)
{
	return new == TCP_SYN_SENT || new == TCP_LISTEN || new == TCP_FIN_WAIT1 ||
	       new == TCP_LAST_ACK || (old == TCP_LISTEN && new == TCP_CLOSE);
}

static __always_inline __u32 log2l(__u64 v)
{
	__u32 r = 0;
#pragma unroll
	for (int i = 32; i > 0; i >>= 1) {
		if (v >= (1ULL << i)) {
			v >>= i;
			r += i;
		}
	}
	return r;
}

/* usbucket is the log2 bucket of microseconds of ns, floor(log2(ns /
 * 1000)), without a division: 1000 is between 2^9 and 2^10. */
static __always_inline __u32 usbucket(__u64 ns)
{
	if (ns < 2000)
		return 0;
	__u32 b = log2l(ns) - 9;
	return ns < (1000ULL << b) ? b - 1 : b;
}

/* spent records the time a socket spent in state. */
static __always_inline void spent(__u32 state, __u64 ns)
{
	__u32 b = usbucket(ns);
	struct statetime *t = bpf_map_lookup_elem(&state_time, &state);
	if (!t || b >= NBUCKETS)
		return;
	t->buckets[b] += 1;
	if (t->max_ns < ns)
		t->max_ns = ns;
	t->sum_ns += ns;
}

static __always_inline void twkey_of(const struct sockinfo *si, struct twkey *k)
{
	k->pid = si->pid;
	k->netns = si->netns;
	k->dport = si->dport;
	k->family = si->family;
	if (si->pid)
		__builtin_memcpy(k->comm, si->comm, sizeof(k->comm));
	__builtin_memcpy(k->daddr, si->daddr, sizeof(k->daddr));
}

static __always_inline void count_timewait(const struct sockinfo *si)
{
	struct twkey k = {};
	twkey_of(si, &k);
	add(&timewait, &k, 1);
	add(&timewait_netns, &si->netns, 1);
}

/* count_orphan counts an orphan handed to a FIN_WAIT2 tw sock, or (answered)
 * one whose peer's FIN made it a TIME_WAIT. Only the orphan path pays for
 * it: a transition that is no orphan makes no lookup here. */
static __always_inline void count_orphan(const struct sockinfo *si, int answered)
{
	struct twkey k = {};
	twkey_of(si, &k);
	struct orphan *o = bpf_map_lookup_elem(&orphans, &k);
	if (!o) {
		struct orphan zero = {};
		bpf_map_update_elem(&orphans, &k, &zero, BPF_NOEXIST);
		o = bpf_map_lookup_elem(&orphans, &k);
		if (!o) {
			lost();
			return;
		}
	}
	if (answered)
		o->answered += 1;
	else
		o->handed += 1;
}

/* inherit gives a passive socket the owner of its listener. */
static __always_inline void inherit(struct sockinfo *si)
{
	struct listenkey lk = {.netns = si->netns, .port = si->lport};
	struct owner *o = bpf_map_lookup_elem(&listeners, &lk);
	if (o) {
		si->pid = o->pid;
		si->named = o->pid;
		__builtin_memcpy(si->comm, o->comm, sizeof(si->comm));
	}
}

static __always_inline void listening(const struct sockinfo *si, int new)
{
	struct listenkey lk = {.netns = si->netns, .port = si->lport};
	if (new != TCP_LISTEN) {
		bpf_map_delete_elem(&listeners, &lk);
		return;
	}
	struct owner o = {.pid = si->pid};
	__builtin_memcpy(o.comm, si->comm, sizeof(o.comm));
	bpf_map_update_elem(&listeners, &lk, &o, BPF_ANY);
}

/* sock_flags returns sk->sk_flags, a field of struct sock in older kernels
 * and of sock_common (skc_flags) in recent ones. */
static __always_inline unsigned long sock_flags(const struct sock *sk)
{
	if (__builtin_preserve_field_info(sk->__sk_common.skc_flags, BPF_FIELD_EXISTS))
		return sk->__sk_common.skc_flags;
	return sk->sk_flags;
}

/*
 * Closing states: tcp_time_wait() replaces the socket with a tw sock (which
 * has no tracepoint) and then tcp_done() moves the socket from FIN_WAIT2 or
 * CLOSING to CLOSE: that is the transition seen. The tw sock's substate is
 * TIME_WAIT when the peer's FIN was received (tcp_fin() set SOCK_DONE
 * first; close() sets sk_shutdown to SHUTDOWN_MASK, so RCV_SHUTDOWN tells
 * nothing), else FIN_WAIT2: an orphaned FIN_WAIT2 socket handed over for
 * tcp_fin_timeout, which is a TIME_WAIT only if the peer's FIN reaches the
 * tw sock (see fin_to_tw) and else expires. A socket closed by an RST
 * from those states has none, and its reset was marked first (tcp_reset()
 * fires tcp_receive_reset before tcp_done()).
 */
#define TW_NONE 0
#define TW_CREATED 1
#define TW_FIN_WAIT2 2

static __always_inline int time_wait_of(const struct sock *sk, const struct sockinfo *si, int old, int new)
{
	if (new == TCP_TIME_WAIT)
		return TW_CREATED;
	if (new != TCP_CLOSE || (old != TCP_FIN_WAIT2 && old != TCP_CLOSING) || si->reset)
		return TW_NONE;
	if ((sock_flags(sk) >> SOCK_DONE) & 1)
		return TW_CREATED;
	return old == TCP_FIN_WAIT2 ? TW_FIN_WAIT2 : TW_NONE;
}

/* ENOENT is the error of a map delete whose key another removed first. A
 * delete can also fail with EBUSY: a program that interrupted another
 * holding a lock of the same map's buckets on this CPU (a softirq on top
 * of a system call's transition) does not wait for it. */
#define ENOENT 2

/* answered counts the TIME_WAIT of the connection k awaiting its peer's
 * FIN, if it is one, and reports whether one was awaiting. The entry's
 * removal decides who counts: the FIN's program and await_fin may both
 * find it at once (see early_fins), and only the one that removed it
 * counts; a removal refused for a busy lock counts too (the entry stays,
 * as it did before early_fins: a retransmitted FIN may count it again). */
static __always_inline int answered(const struct tuplekey *k)
{
	struct sockinfo *found = bpf_map_lookup_elem(&fin_wait2, k);
	if (!found)
		return 0;
	struct sockinfo si = *found;
	if (bpf_map_delete_elem(&fin_wait2, k) == -ENOENT)
		return 1;
	count_timewait(&si);
	count_orphan(&si, 1);
	return 1;
}

/* await_fin remembers a socket handed to a tw sock of substate FIN_WAIT2,
 * and counts its TIME_WAIT at once if its peer's FIN came first. */
static __always_inline void await_fin(const struct sockinfo *si, __u64 now)
{
	struct tuplekey k = {.netns = si->netns, .lport = si->lport, .dport = si->dport, .family = si->family};
	__builtin_memcpy(k.saddr, si->saddr, sizeof(k.saddr));
	__builtin_memcpy(k.daddr, si->daddr, sizeof(k.daddr));
	if (bpf_map_update_elem(&fin_wait2, &k, si, BPF_ANY))
		lost(); /* its TIME_WAIT will count as an orphan */
	__u64 *at = bpf_map_lookup_elem(&early_fins, &k);
	if (!at)
		return;
	__u64 when = *at;
	if (bpf_map_delete_elem(&early_fins, &k) != -ENOENT && now - when < EARLY_FIN_NS)
		answered(&k);
}

/* sock_id identifies a socket by its address as a number the program may
 * compute with: the verifier refuses arithmetic on a pointer to a kernel
 * object, but the difference of two pointers is a number (for a loader
 * with CAP_PERFMON); the other is the map's, a constant. */
static __always_inline __u64 sock_id(const struct sock *sk)
{
	return (__u64)sk - (__u64)&slots;
}

/* free_entry reports whether an entry is no live socket's: zero (new), or
 * CLOSE (see on_state). */
static __always_inline int free_entry(const struct sockinfo *si)
{
	return si->state == 0 || si->state == TCP_CLOSE;
}

/* slot_of is the slot of the socket key (Fibonacci hashing). */
static __always_inline struct slot *slot_of(__u64 key)
{
	__u32 i = (key * 0x9E3779B97F4A7C15ULL) >> (64 - slot_bits);
	return bpf_map_lookup_elem(&slots, &i);
}

/* find returns the entry of the socket key, if it has one. */
static __always_inline struct sockinfo *find(__u64 key)
{
	struct slot *s = slot_of(key);
	if (s && s->sk == key)
		return &s->si;
	return bpf_map_lookup_elem(&socks, &key);
}

/*
 * entry returns the entry of the socket key (sock_id), made if it has
 * none. A socket's first transition (born: connect(), listen(), or an
 * accepted socket's birth from its listener) takes its slot if no live
 * socket holds it, without looking in the hash; a later one looks there
 * when the slot is another's (a socket whose slot was taken at its birth,
 * or one seen first after attaching). Two sockets with one slot taking it
 * at the same moment on two CPUs can mix their entries: a stay or an
 * owner lost, rarely.
 */
static __always_inline struct sockinfo *entry(__u64 key, int born)
{
	struct slot *s = slot_of(key);
	if (!s)
		return 0;
	if (s->sk == key)
		return &s->si;
	struct sockinfo *si = 0;
	if (!born && (si = bpf_map_lookup_elem(&socks, &key)))
		return si;
	if (free_entry(&s->si)) {
		s->sk = key;
		s->si.state = 0;
		return &s->si;
	}
	if (born && (si = bpf_map_lookup_elem(&socks, &key)))
		return si;
	struct sockinfo zero = {};
	bpf_map_update_elem(&socks, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&socks, &key);
}

SEC("tp_btf/inet_sock_set_state")
int on_state(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	int old = (int)ctx[1], new = (int)ctx[2];
	__u32 netns = netns_of(sk);
	if (skip(netns) || old < 0 || old >= NSTATES || new < 0 || new >= NSTATES)
		return 0;
	__u32 k = old * NSTATES + new;
	__u64 *n = bpf_map_lookup_elem(&transitions, &k);
	if (n)
		*n += 1;

	/* The socket's entry is changed in place: a transition of one socket
	 * runs under its lock, and an update of an LRU entry would allocate.
	 * A socket that closes leaves its entry behind, marked CLOSE (a state
	 * no tracked socket has), rather than deleting it: the next socket
	 * the slab places at the same address, most of them under churn,
	 * starts from it in place, without an insert or a delete (a slot
	 * goes to the next socket hashed to it; the LRU evicts the hash's
	 * entries of addresses no longer used). */
	__u64 now = bpf_ktime_get_ns();
	int born = old == TCP_CLOSE || (old == TCP_LISTEN && new == TCP_SYN_RECV);
	struct sockinfo *si = entry(sock_id(sk), born);
	if (!si) {
		lost();
		return 0;
	}
	if (born || free_entry(si)) {
		si->pid = 0;
		si->lport = 0;
		si->reset = 0;
	} else if (si->state == old) {
		spent(old, now - si->since_ns);
	}
	/* Read the addresses at every transition: connect() picks the local
	 * port after the socket enters SYN_SENT. */
	si->netns = netns;
	si->family = remote(sk, si->daddr);
	local(sk, si->saddr);
	/* tcp_set_state() releases the local port (inet_put_port) before it
	 * traces a move to CLOSE: keep the one seen before. */
	if (sk->__sk_common.skc_num) {
		si->lport = sk->__sk_common.skc_num;
	} else if (new == TCP_CLOSE) {
		/* Released (a move to CLOSE): the port is still the socket's
		 * source port, also where the entry is new (its own lost).
		 * Beyond struct sock: read, not loaded. */
		__be16 sport = 0;
		bpf_probe_read_kernel(&sport, sizeof(sport), &((const struct inet_sock *)sk)->inet_sport);
		if (sport)
			si->lport = __builtin_bswap16(sport);
	}
	si->dport = __builtin_bswap16(sk->__sk_common.skc_dport);
	if (owned_by_task(old, new)) {
		/* The name is read when another process than the one named
		 * owns the socket: the same process closing the socket it
		 * connected, or connecting the next one at its address, keeps
		 * the name read then. */
		si->pid = bpf_get_current_pid_tgid() >> 32;
		if (si->pid != si->named) {
			si->named = si->pid;
			bpf_get_current_comm(si->comm, sizeof(si->comm));
		}
	} else if (si->pid == 0 && (old == TCP_LISTEN || old == TCP_SYN_RECV)) {
		inherit(si);
	}
	/* listen() and the listener's close(); an accepted socket's first
	 * transition also leaves LISTEN (it is born a copy of its listener). */
	if (new == TCP_LISTEN || (old == TCP_LISTEN && new == TCP_CLOSE))
		listening(si, new);
	int tw = time_wait_of(sk, si, old, new);
	if (tw == TW_CREATED)
		count_timewait(si);
	else if (tw == TW_FIN_WAIT2) {
		count_orphan(si, 0);
		await_fin(si, now);
	}
	si->state = new == TCP_TIME_WAIT ? TCP_CLOSE : new;
	si->since_ns = now;
	return 0;
}

/*
 * A tw sock of substate FIN_WAIT2 that receives the peer's FIN becomes a
 * TIME_WAIT in tcp_timewait_state_process() (tw_substate = TIME_WAIT) with
 * no tracepoint, and tracing the function itself (fentry, kprobes) is not
 * always built in. tcp_v4_rcv() and tcp_v6_rcv() then drop the segment
 * with the tw sock as its receiver, and the kfree_skb tracepoint names it
 * (rx_sk, Linux 6.11): a tw sock of substate TIME_WAIT whose connection
 * awaits a FIN counts as its TIME_WAIT creation, once (its entry is
 * removed). Every other packet freed on the host costs a test of rx_sk and
 * of its state.
 */
SEC("tp_btf/kfree_skb")
int on_late_fin(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[3];
	if (!sk || sk->__sk_common.skc_state != TCP_TIME_WAIT)
		return 0;
	const struct inet_timewait_sock *tw = (const struct inet_timewait_sock *)sk;
	if (tw->tw_substate != TCP_TIME_WAIT)
		return 0;
	struct tuplekey k = {.lport = sk->__sk_common.skc_num};
	k.netns = netns_of(sk);
	if (skip(k.netns))
		return 0;
	k.family = remote(sk, k.daddr);
	local(sk, k.saddr);
	k.dport = __builtin_bswap16(sk->__sk_common.skc_dport);
	if (answered(&k))
		return 0;
	/* None awaits: the socket this tw sock replaced may not have reached
	 * its tracepoint yet (early_fins). Only a FIN is kept, and looked for
	 * again once kept, in case the socket came in between. */
	const struct sk_buff *skb = (const struct sk_buff *)ctx[0];
	__u8 flags = 0;
	if (skb->transport_header == 0xffff ||
	    bpf_probe_read_kernel(&flags, 1, skb->head + skb->transport_header + 13) || !(flags & 0x01))
		return 0;
	__u64 now = bpf_ktime_get_ns();
	bpf_map_update_elem(&early_fins, &k, &now, BPF_ANY);
	if (answered(&k))
		bpf_map_delete_elem(&early_fins, &k);
	return 0;
}

/*
 * Where kfree_skb has no rx_sk (before Linux 6.11), the segment is seen
 * when it is freed, by kfree_skb or consume_skb: a TCP segment with FIN
 * whose 4-tuple, read from its headers, and namespace (the receiving
 * device's) match a connection awaiting it. The loader picks these two
 * programs or on_late_fin by the tracepoint's prototype in the kernel's
 * BTF.
 */
static __always_inline void fin_to_tw(const struct sk_buff *skb)
{
	const struct net_device *dev = skb->dev;
	if (!dev || skb->transport_header == 0xffff || skb->network_header == 0xffff)
		return;
	struct tuplekey k = {};
	k.netns = dev->nd_net.net->ns.inum;
	if (skip(k.netns))
		return;
	/* The TCP header first, one read: most packets freed are no FIN. */
	unsigned long ip = (unsigned long)skb->head + skb->network_header;
	unsigned long th = (unsigned long)skb->head + skb->transport_header;
	__u16 tcp[7] = {}; /* ports, sequence, ack, offset and flags */
	if (bpf_probe_read_kernel(tcp, sizeof(tcp), (void *)th) || !(((__u8 *)tcp)[13] & 0x01) /* FIN */)
		return;
	__u8 iph[40] = {};
	if (bpf_probe_read_kernel(iph, 20, (void *)ip))
		return;
	if ((iph[0] >> 4) == 6) {
		if (bpf_probe_read_kernel(iph, 40, (void *)ip) || iph[6] != 6 /* IPPROTO_TCP */)
			return;
		k.family = AF_INET6;
		__builtin_memcpy(k.daddr, &iph[8], 16);
		__builtin_memcpy(k.saddr, &iph[24], 16);
	} else if ((iph[0] >> 4) == 4 && iph[9] == 6) {
		k.family = AF_INET;
		__builtin_memcpy(k.daddr, &iph[12], 4);
		__builtin_memcpy(k.saddr, &iph[16], 4);
	} else {
		return;
	}
	k.dport = __builtin_bswap16(tcp[0]);
	k.lport = __builtin_bswap16(tcp[1]);
	answered(&k);
}

SEC("tp_btf/kfree_skb")
int on_kfree_skb(__u64 *ctx)
{
	fin_to_tw((const struct sk_buff *)ctx[0]);
	return 0;
}

SEC("tp_btf/consume_skb")
int on_consume_skb(__u64 *ctx)
{
	fin_to_tw((const struct sk_buff *)ctx[0]);
	return 0;
}

/* count_peer counts one event for sk's peer in map; port 0 keeps only the
 * address (RSTs, keyed by peer host). */
static __always_inline void count_peer(void *map, const struct sock *sk, int with_port, __u8 dir)
{
	struct addrkey k = {.dir = dir};
	k.netns = netns_of(sk);
	if (skip(k.netns))
		return;
	k.family = remote(sk, k.addr);
	if (with_port)
		k.port = __builtin_bswap16(sk->__sk_common.skc_dport);
	add(map, &k, 1);
	if (map == &resets) {
		struct sockinfo *si = find(sock_id(sk));
		if (si)
			si->reset = 1;
	}
}

SEC("tp_btf/tcp_receive_reset")
int on_receive_reset(__u64 *ctx)
{
	count_peer(&resets, (const struct sock *)ctx[0], 0, RST_RECEIVED);
	return 0;
}

/* A reset sent without a socket (to a closed port) names its peer only in
 * the packet it answers: the source address of skb's IP header; its
 * namespace is the receiving device's. */
static __always_inline void reset_from_skb(const struct sk_buff *skb)
{
	struct addrkey k = {.dir = RST_SENT};
	const struct net_device *dev = skb->dev;
	if (!dev)
		return;
	k.netns = dev->nd_net.net->ns.inum;
	if (skip(k.netns))
		return;
	unsigned long ip = (unsigned long)skb->head + skb->network_header;
	__u8 v = 0;
	bpf_probe_read_kernel(&v, 1, (void *)ip);
	if ((v >> 4) == 6) {
		k.family = AF_INET6;
		bpf_probe_read_kernel(k.addr, 16, (void *)(ip + 8));
	} else {
		k.family = AF_INET;
		bpf_probe_read_kernel(k.addr, 4, (void *)(ip + 12));
	}
	add(&resets, &k, 1);
}

SEC("tp_btf/tcp_send_reset")
int on_send_reset(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	if (sk)
		count_peer(&resets, sk, 0, RST_SENT);
	else if (ctx[1])
		reset_from_skb((const struct sk_buff *)ctx[1]);
	return 0;
}

/* Recent kernels fire tcp_retransmit_skb for failed attempts too, with
 * their error as a third argument: only those sent (err 0) count. The
 * loader picks this program or on_retransmit_sent by the tracepoint's
 * prototype in the kernel's BTF. */
SEC("tp_btf/tcp_retransmit_skb")
int on_retransmit(__u64 *ctx)
{
	if ((int)ctx[2] == 0)
		count_peer(&retrans, (const struct sock *)ctx[0], 1, 0);
	return 0;
}

/* Older kernels fire tcp_retransmit_skb(sk, skb) after a sent
 * retransmission only. */
SEC("tp_btf/tcp_retransmit_skb")
int on_retransmit_sent(__u64 *ctx)
{
	count_peer(&retrans, (const struct sock *)ctx[0], 1, 0);
	return 0;
}

/* A SYN-ACK retransmitted by a listener: keyed by its local address and
 * port. */
SEC("tp_btf/tcp_retransmit_synack")
int on_synack(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	struct addrkey k = {};
	k.netns = netns_of(sk);
	if (skip(k.netns))
		return 0;
	k.family = sk->__sk_common.skc_family;
	local(sk, k.addr);
	k.port = sk->__sk_common.skc_num;
	add(&synack_retrans, &k, 1);
	return 0;
}
