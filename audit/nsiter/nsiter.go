// Package nsiter reads every TCP socket that some process holds, in every
// network namespace at once, with one BPF iterator (iter/task_file) over
// every descriptor of every process: what a sock_diag dump would say of
// each socket (state, addresses, queues, a listener's backlog, drops and
// pending requests, the time since data last arrived), the namespace it
// belongs to and the processes holding it. It owns the BPF program
// (nsiter.bpf.c, with the hand-written CO-RE types of nsiter.h), the
// objects bpf2go generates from it (go generate, clang needed) and the
// decoder of its records.
package nsiter

import "errors"

//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -tags linux -target bpfel,bpfeb nsiter nsiter.bpf.c

// ErrUnavailable marks an iterator that cannot run here: not Linux, no
// BTF, not privileged, or a kernel before 5.11 (bpf_sock_from_file).
var ErrUnavailable = errors.New("bpf task_file iterator over TCP sockets unavailable")
