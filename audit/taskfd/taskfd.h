/* The kernel types and helpers taskfd.bpf.c uses, written by hand for CO-RE:
 * only the fields read are declared, and preserve_access_index lets the
 * loader find their offsets in the running kernel's BTF. */
#ifndef TASKFD_H
#define TASKFD_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

#define BPF_MAP_TYPE_HASH 1
#define BPF_F_NO_PREALLOC 1
#define S_IFMT 00170000
#define S_IFSOCK 0140000

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));

struct task_struct {
	int tgid;
} __attribute__((preserve_access_index));

struct inode {
	unsigned short i_mode;
	unsigned long i_ino;
} __attribute__((preserve_access_index));

struct sock_common {
	volatile unsigned char skc_state;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
} __attribute__((preserve_access_index));

struct socket {
	struct sock *sk;
} __attribute__((preserve_access_index));

struct file {
	struct inode *f_inode;
} __attribute__((preserve_access_index));

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} __attribute__((preserve_access_index));

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static struct socket *(*bpf_sock_from_file)(struct file *file) = (void *)162;
static long (*bpf_seq_write)(struct seq_file *m, const void *data, __u32 len) = (void *)127;

#endif
