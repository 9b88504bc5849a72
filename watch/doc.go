// Package watch owns the motion of TCP connections: the lifecycle traced
// from the kernel's tracepoints by BPF programs (bpf/watch.c) that
// aggregate in kernel maps, or, where BPF is unavailable, sampled from the
// socket census; the rates, histograms and rankings computed from two
// readings; and the findings judged on them. Where each tracepoint fires,
// in which context, and why TIME_WAIT is seen as FIN_WAIT2 to CLOSE:
// docs/kernel-facts.md §26.
package watch

//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target bpfel -tags linux,!tcpaudit_portable -output-stem tracer tracer bpf/watch.c
