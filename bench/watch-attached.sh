# Sourced by bench/watch.sh and bench/watch-ab.sh.
#
# wait_attached PID: waits, at most 20 s, until the `tcpaudit watch` PID has
# its programs attached (its BPF links open: 6, or 7 on kernels before 6.11,
# which read late FINs from two packet tracepoints) and has taken its first
# reading, so that what follows measures the tracing, not the start.
wait_attached() {
	for _ in $(seq 400); do
		[ "$(find "/proc/$1/fd" -lname 'anon_inode:bpf_link' 2>/dev/null | wc -l)" -ge 6 ] && break
		sleep 0.05
	done
	sleep 0.3
}
