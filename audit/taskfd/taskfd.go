// Package taskfd maps socket inodes to the processes holding them with a
// BPF iterator (iter/task_file): one pass over every descriptor table in
// the kernel, filtered there to the inodes asked for, read through the
// iterator's seq file. It owns the program and its loader: the offsets the
// program reads, found in the kernel's BTF in a few passes that never hold
// it whole; the program's instructions, written in Go; the bpf(2) calls
// that create its maps, load, attach and run it. taskfd.bpf.c (with the
// hand-written CO-RE types of taskfd.h) is the same program in C: go
// generate compiles it (clang needed) into objects only the tests load, as
// the reference the Go program is compared with.
package taskfd

import "errors"

//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -tags linux -target bpfel,bpfeb -output-suffix _test taskfd taskfd.bpf.c

// ErrUnavailable marks an iterator that cannot run here: not Linux, no
// BTF, not privileged, or a kernel without BPF iterators (before 5.8).
var ErrUnavailable = errors.New("bpf task_file iterator unavailable")

// AllStates is every TCP state, for States.
const AllStates = ^uint32(0)

// States says which sockets a run of the iterator reports, each a set of
// TCP states (bit n for state n, as inet_diag numbers them): those in
// Report whatever their inode, those in Lookup only when their inode is
// among the run's. Report spares the map its inodes (no fill, no lookup)
// when the caller joins every socket of a state on its own census.
type States struct {
	Lookup, Report uint32
}

// File is one descriptor of a process that refers to a wanted socket.
type File struct {
	// TGID is the process (thread group) ID as the initial PID namespace
	// numbers it.
	TGID uint32
	FD   uint32
	// Inode is the socket's inode number.
	Inode uint32
}
