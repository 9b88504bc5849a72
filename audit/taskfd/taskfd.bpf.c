//go:build ignore

// The reference of the program Load assembles (program.go), instruction
// for instruction; the tests load it and compare the two.
//
// An iter/task_file program: for every open file of every process (each
// descriptor table once), it writes (tgid, fd, inode) to the iterator's seq
// file when the file is a socket in one of the states reported whatever the
// inode, or in one of the states looked up whose inode is in the wanted map.
// The state test comes first (docs/kernel-facts.md §33): it reads the
// socket, where the lookup would search a table of up to 262,144 inodes, and
// a state reported whole (CLOSE_WAIT: the caller joins them on its census)
// needs no map at all (§38); the inode is read only past the state test.
#include "taskfd.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

// The states, bit n for TCP state n (as inet_diag's idiag_states), set by
// user space before each run (a global of .bss, written through its
// memory mapping, so one loaded program serves runs that want different
// states): report_states are reported whatever their inode, lookup_states
// when the inode is in wanted.
volatile __u32 report_states;
volatile __u32 lookup_states;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} wanted SEC(".maps");

struct record {
	__u32 tgid;
	__u32 fd;
	__u32 inode;
	__u32 pad;
};

SEC("iter/task_file")
int socket_files(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct task_struct *task = ctx->task;
	if (!file || !task)
		return 0;
	// bpf_sock_from_file compares the file's operations with a socket's:
	// NULL for any other file, without reading its inode, which is read
	// only for a socket in a state of the run (docs/kernel-facts.md §52).
	struct socket *sock = bpf_sock_from_file(file);
	if (!sock || !sock->sk)
		return 0;
	__u8 state = sock->sk->__sk_common.skc_state;
	if (state > 31)
		return 0;
	__u32 bit = 1u << state;
	__u32 report = report_states & bit;
	if (!report && !(lookup_states & bit))
		return 0;
	struct inode *inode = file->f_inode;
	if (!inode)
		return 0;
	__u32 ino = (__u32)inode->i_ino;
	if (!report && !bpf_map_lookup_elem(&wanted, &ino))
		return 0;
	struct record r = {.tgid = task->tgid, .fd = ctx->fd, .inode = ino};
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
