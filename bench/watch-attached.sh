# Sourced by bench/watch.sh and bench/watch-ab.sh.
#
# wait_attached PID: waits, at most 20 s, until the `tcpaudit watch` PID has
# its 7 programs attached (its BPF links open) and has taken its first
# reading, so that what follows measures the tracing, not the start.
wait_attached() {
	for _ in $(seq 400); do
		[ "$(find "/proc/$1/fd" -lname 'anon_inode:bpf_link' 2>/dev/null | wc -l)" -ge 7 ] && break
		sleep 0.05
	done
	sleep 0.3
}
