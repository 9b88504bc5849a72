/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few kernel types and BPF helpers the watch programs use, instead of
 * a full vmlinux.h. The structs carry preserve_access_index: clang emits a
 * CO-RE relocation for every field read, and the loader resolves it against
 * the running kernel's BTF (/sys/kernel/btf/vmlinux), so only the field
 * names must match the kernel, not the layout.
 */
#ifndef TCPAUDIT_KERNEL_H
#define TCPAUDIT_KERNEL_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#define __always_inline inline __attribute__((always_inline))
#define CORE __attribute__((preserve_access_index))

/* enum bpf_map_type and update flags (include/uapi/linux/bpf.h). */
#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_MAP_TYPE_PERCPU_ARRAY 6
#define BPF_MAP_TYPE_LRU_HASH 9
#define BPF_MAP_TYPE_LRU_PERCPU_HASH 10
#define BPF_ANY 0
#define BPF_NOEXIST 1
#define BPF_F_NO_COMMON_LRU 2 /* a free list per CPU: no shared lock */

/* Helpers by number (enum bpf_func_id, include/uapi/linux/bpf.h). */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static long (*bpf_get_current_comm)(void *buf, __u32 size) = (void *)16;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size, const void *src) = (void *)113;

/* Address families and TCP states (include/net/tcp_states.h). */
#define AF_INET 2
#define AF_INET6 10
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
	TCP_NEW_SYN_RECV,
	TCP_BOUND_INACTIVE,
};

struct in6_addr {
	__u8 in6_u[16];
};

struct ns_common {
	unsigned int inum;
} CORE;

struct net {
	struct ns_common ns;
} CORE;

typedef struct {
	struct net *net;
} possible_net_t;

/* Fields of struct sock_common (include/net/sock.h); the kernel nests some
 * in anonymous unions, which CO-RE resolves by name. */
struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
	unsigned long skc_flags; /* sk_flags in recent kernels */
} CORE;

struct sock {
	struct sock_common __sk_common;
	unsigned long sk_flags; /* older kernels; see sock_flags() */
} CORE;

/* An inet socket (include/net/inet_sock.h): its source port in network
 * order, which inet_put_port() leaves when it clears skc_num. */
struct inet_sock {
	struct sock sk;
	__be16 inet_sport;
} CORE;

/* A timewait sock (include/net/inet_timewait_sock.h): a sock_common and
 * its substate, FIN_WAIT2 or TIME_WAIT. */
struct inet_timewait_sock {
	struct sock_common __tw_common;
	volatile unsigned char tw_substate;
} CORE;

/* Bits of sock.sk_flags (enum sock_flags, include/net/sock.h). */
#define SOCK_DONE 1

/* The kind of __builtin_preserve_field_info that asks whether a field
 * exists in the running kernel. */
#define BPF_FIELD_EXISTS 2

struct net_device {
	possible_net_t nd_net;
} CORE;

struct sk_buff {
	struct net_device *dev;
	unsigned char *head;
	__u16 network_header;
	__u16 transport_header;
} CORE;

#endif
