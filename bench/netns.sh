#!/usr/bin/env bash
# Benchmark of the multi-namespace audit against a shell loop over ss.
#
#   sudo bench/netns.sh [COUNT...]        (default counts: 50 100 200)
#
# For each count it makes COUNT network namespaces with cmd/sockgen, each
# holding SOCKETS sockets on loopback (default 500: ESTABLISHED pairs, 25
# CLOSE_WAIT sockets with their FIN_WAIT2 peers, one listener), then runs
# ROUNDS times (default 3), in turn so that the machine's load falls on
# all three alike:
#   check     tcpaudit check --all-netns --format json --fail-on never
#   sockets   tcpaudit sockets --all-netns --format json
#   ss loop   for NS in the namespaces: ip netns exec NS ss -tan
# and prints the median wall times, the ratios of check and sockets to the
# ss loop, the CPU time (user and system, children included) of check and
# of the loop, tcpaudit's median peak RSS (GNU time, %M, from the kernel's
# wait4 rusage) and the load average before and after: on a shared machine
# the wall times follow the load, the CPU times much less. The tcpaudit
# commands audit every namespace of the host, so other namespaces present
# are audited too; the number check audited is printed. Targets: ratio
# <= 0.3, RSS <= 32 MiB. Needs root, ip(8), ss(8), GNU time and Go (or
# PREBUILT=DIR holding tcpaudit and sockgen binaries).
#
# Every inet_diag dump, tcpaudit's as ss's, walks the sockets of every
# namespace (docs/kernel-facts.md §25), so both grow with the square of
# the namespaces. CHILD_EHASH=N makes the namespaces from a parent namespace
# whose net.ipv4.tcp_child_ehash_entries is N: each then has a table of its
# own, and a dump walks its own sockets only (the host's setting is left
# alone).
#
# check and sockets take each namespace's census from one BPF pass over
# every process's descriptors when the namespace's net/sockstat shows the
# pass saw all its sockets (docs/manual.md, docs/kernel-facts.md §48): the
# "from the pass" column counts those namespaces. TIME_WAIT=N gives each
# namespace N TIME_WAIT sockets too (out of SOCKETS), which no process
# holds: their namespaces take the walk, the variant of the kernel's table.
# TIME_WAIT sockets last 60 s: at a large COUNT the first namespaces may
# lose theirs before the last rounds, which the column then shows.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
SOCKETS=${SOCKETS:-500}
CLOSE_WAIT=25
TIME_WAIT=${TIME_WAIT:-0}
ESTABLISHED=$((SOCKETS - 2 * CLOSE_WAIT - 1 - TIME_WAIT))

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# once CMD...: runs CMD once, prints "wall_ms rss_kib cpu_ms" (user and
# system time of CMD and the children it waited for).
once() {
	local t0 t1
	t0=$(now_ms)
	/usr/bin/time -f '%M %U %S' -o "$work/rss" "$@" >/dev/null 2>>"$work/stderr"
	t1=$(now_ms)
	echo "$((t1 - t0)) $(tail -1 "$work/rss" | awk '{ printf "%d %d", $1, ($2 + $3) * 1000 }')"
}

# rounds: runs check, sockets and the ss loop in turn ROUNDS times, prints
# the medians "check_ms check_rss check_cpu sockets_ms sockets_rss loop_ms
# loop_cpu".
rounds() {
	local c=() cr=() cc=() s=() sr=() l=() lc=() ms rss cpu
	for _ in $(seq "$ROUNDS"); do
		read -r ms rss cpu < <(once "$bin/tcpaudit" check --all-netns --format json --fail-on never)
		c+=("$ms") cr+=("$rss") cc+=("$cpu")
		read -r ms rss _ < <(once "$bin/tcpaudit" sockets --all-netns --format json)
		s+=("$ms") sr+=("$rss")
		read -r ms _ cpu < <(once bash -c loop)
		l+=("$ms") lc+=("$cpu")
	done
	echo "$(med "${c[@]}") $(med "${cr[@]}") $(med "${cc[@]}") $(med "${s[@]}") $(med "${sr[@]}") $(med "${l[@]}") $(med "${lc[@]}")"
}

med() { printf '%s\n' "$@" | median; }

load() { cut -d' ' -f1 /proc/loadavg; }

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
			-close-wait "$CLOSE_WAIT" -time-wait "$TIME_WAIT" -ready "$work/ready.$i" >/dev/null &
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
echo "TCP sockets of the host before the namespaces are made (sockstat alloc, every namespace): $(awk '/^TCP:/ { print $11 }' /proc/net/sockstat)"
[ "$TIME_WAIT" = 0 ] || echo "each namespace holds $TIME_WAIT TIME_WAIT sockets of its $SOCKETS: its census takes the walk"
printf '| namespaces | sockets each | audited | from the pass | check (ms) | sockets (ms) | ss loop (ms) | check ratio | sockets ratio | check CPU / loop CPU (ms) | check RSS (MiB) | sockets RSS (MiB) | load before, after |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
export -f loop
export work
for count in "${@:-50 100 200}"; do
	for n in $count; do
		start "$n"
		"$bin/tcpaudit" check --all-netns --format json --fail-on never >"$work/first.json"
		audited=$(grep -c '"inode"' "$work/first.json" || true)
		passed=$(grep -c '"census": *"bpf-iter"' "$work/first.json" || true)
		before=$(load)
		read -r c_ms c_rss c_cpu s_ms s_rss l_ms l_cpu < <(rounds)
		awk -v n="$n" -v s="$SOCKETS" -v a="$audited" -v p="$passed" -v c="$c_ms" -v cr="$c_rss" -v cc="$c_cpu" -v k="$s_ms" -v kr="$s_rss" \
			-v l="$l_ms" -v lc="$l_cpu" -v lb="$before" -v la="$(load)" \
			'BEGIN { printf "| %d | %d | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f (%d / %d) | %.1f | %.1f | %s, %s |\n", n, s, a, p, c, k, l, c / l, k / l, cc / lc, cc, lc, cr / 1024, kr / 1024, lb, la }'
		stop
	done
done
