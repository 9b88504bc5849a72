#!/usr/bin/env bash
# Benchmark of the multi-namespace audit against a shell loop over ss.
#
#   sudo bench/netns.sh [COUNT...]        (default counts: 50 100 200)
#
# For each count it makes COUNT network namespaces with cmd/sockgen, each
# holding SOCKETS sockets on loopback (default 500: ESTABLISHED pairs, 25
# CLOSE_WAIT sockets with their FIN_WAIT2 peers, one listener), then times
# in the same run (median of ROUNDS runs, default 3):
#   tcpaudit  tcpaudit check --all-netns --format json --fail-on never
#   ss loop   for NS in the namespaces: ip netns exec NS ss -tan
# and prints the wall times, their ratio and tcpaudit's peak RSS (GNU time,
# %M, from the kernel's wait4 rusage). check --all-netns audits every
# namespace of the host, so other namespaces present are audited too; the
# number it audited is printed. Targets: ratio <= 0.3, RSS <= 32 MiB. Needs
# root, ip(8), ss(8), GNU time and Go (or PREBUILT=DIR holding tcpaudit and
# sockgen binaries).
#
# Every inet_diag dump, tcpaudit's as ss's, walks the sockets of every
# namespace (docs/kernel-facts.md §25), so both grow with the square of
# the namespaces. CHILD_EHASH=N makes the namespaces from a parent namespace
# whose net.ipv4.tcp_child_ehash_entries is N: each then has a table of its
# own, and a dump walks its own sockets only (the host's setting is left
# alone).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
SOCKETS=${SOCKETS:-500}
CLOSE_WAIT=25
ESTABLISHED=$((SOCKETS - 2 * CLOSE_WAIT - 1))

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timed CMD...: runs CMD ROUNDS times, prints "wall_ms rss_kib" (medians).
timed() {
	local walls=() rsss=() t0 t1
	for _ in $(seq "$ROUNDS"); do
		t0=$(now_ms)
		/usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null
		t1=$(now_ms)
		walls+=($((t1 - t0)))
		rsss+=("$(tail -1 "$work/rss")")
	done
	echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${rsss[@]}" | median)"
}

# loop runs ss -tan once inside each namespace named in $work/names.
loop() {
	while read -r ns; do ip netns exec "$ns" ss -tan; done <"$work/names"
}

# parent makes the namespace the others are made from when CHILD_EHASH is
# set, and prints the command prefix that runs a command in it.
parent() {
	[ -n "${CHILD_EHASH:-}" ] || return 0
	local p="tcpaudit-bench-$$-parent"
	ip netns add "$p"
	ip netns exec "$p" sysctl -qw "net.ipv4.tcp_child_ehash_entries=$CHILD_EHASH"
	echo "nsenter --net=/run/netns/$p"
}

# start COUNT: makes the namespaces and waits until their sockets exist.
start() {
	local count=$1 i
	: >"$work/names"
	for i in $(seq "$count"); do
		local ns="tcpaudit-bench-$$-$i"
		echo "$ns" >>"$work/names"
		$in_parent "$bin/sockgen" -netns "$ns" -children 1 -dsts 4 -established "$ESTABLISHED" \
			-close-wait "$CLOSE_WAIT" -ready "$work/ready.$i" >/dev/null &
		pids+=($!)
	done
	for i in $(seq "$count"); do
		for _ in $(seq 600); do [ -e "$work/ready.$i" ] && break; sleep 0.1; done
		[ -e "$work/ready.$i" ] || { echo "namespace $i not ready after 60 s" >&2; exit 1; }
	done
}

stop() {
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null && wait "${pids[@]}" 2>/dev/null
	pids=()
	rm -f "$work"/ready.*
}

work=$(mktemp -d)
pids=()
trap 'stop; rm -rf "$work"; [ -z "${CHILD_EHASH:-}" ] || ip netns delete "tcpaudit-bench-$$-parent"' EXIT
in_parent=$(parent)
if [ -n "${PREBUILT:-}" ]; then
	bin=$PREBUILT
else
	bin=$work
	(cd "$(dirname "$0")/.." && go build -o "$bin/tcpaudit" ./cmd/tcpaudit && go build -o "$bin/sockgen" ./cmd/sockgen)
fi

[ -z "${CHILD_EHASH:-}" ] || echo "namespaces made with tcp_child_ehash_entries=$CHILD_EHASH"
printf '| namespaces | sockets each | audited by tcpaudit | tcpaudit (ms) | ss loop (ms) | ratio | tcpaudit peak RSS (MiB) |\n'
printf '|---|---|---|---|---|---|---|\n'
for count in "${@:-50 100 200}"; do
	for n in $count; do
		start "$n"
		audited=$("$bin/tcpaudit" check --all-netns --format json --fail-on never |
			grep -c '"inode"' || true)
		read -r t_ms t_rss < <(timed "$bin/tcpaudit" check --all-netns --format json --fail-on never)
		export -f loop; export work
		read -r l_ms _ < <(timed bash -c loop)
		awk -v n="$n" -v s="$SOCKETS" -v a="$audited" -v t="$t_ms" -v l="$l_ms" -v r="$t_rss" \
			'BEGIN { printf "| %d | %d | %d | %d | %d | %.2f | %.1f |\n", n, s, a, t, l, t / l, r / 1024 }'
		stop
	done
done
