// Package memlock lifts the locked-memory limit that kernels before 5.11
// charge BPF maps and programs to.
//
// cilium/ebpf's rlimit package does the same, but probes at package
// initialisation (it creates a BPF map and lowers the limit to zero for a
// moment, which is only safe before other goroutines run), in every command
// of the executable that imports it, whether or not it loads anything.
// Raise only raises, when a command is about to load a program: nothing is
// probed, and a kernel that charges BPF memory to its cgroup (5.11 and
// later, docs/kernel-facts.md) ignores the limit anyway.
package memlock
