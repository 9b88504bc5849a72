#!/usr/bin/env bash
# Benchmark of the socket census against ss, on real sockets.
#
#   sudo bench/census.sh [SIZE...]        (default sizes: 100000 1000000)
#
# For each size it builds two scenarios in a network namespace made by
# cmd/sockgen (sockets on loopback, spread over many 127.x addresses and
# child processes):
#   mixed     30% ESTABLISHED, 60% TIME_WAIT, 5% CLOSE_WAIT, 5% FIN_WAIT2
#   timewait  100% TIME_WAIT
# and prints, measured in the same run inside the namespace (median of
# ROUNDS runs, default 3): the wall time and peak RSS of the full census
# (`tcpaudit sockets --no-owners --format json`), the wall time of
# `ss -tan | wc -l`, and their ratio. In the mixed scenario of the smallest
# size it also times CLOSE_WAIT attribution
# (`tcpaudit sockets --state close-wait --by process`) against
# `ss -tanp state close-wait`.
#
# TIME_WAIT sockets leave the kernel after 60 s, so measurements start as
# soon as the sockets exist; the socket count at measurement time is
# printed (from ss). Needs root, ip(8), ss(8), GNU time and Go (or
# PREBUILT=DIR holding tcpaudit and sockgen binaries).
set -euo pipefail

ROUNDS=${ROUNDS:-3}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timed LABEL CMD...: runs CMD ROUNDS times, prints "LABEL wall_ms rss_kib".
timed() {
	local label=$1; shift
	local walls=() rsss=() t0 t1
	for _ in $(seq "$ROUNDS"); do
		t0=$(now_ms)
		/usr/bin/time -f %M -o /tmp/census-bench.rss "$@" >/dev/null
		t1=$(now_ms)
		walls+=($((t1 - t0)))
		rsss+=("$(tail -1 /tmp/census-bench.rss)")
	done
	echo "$label $(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${rsss[@]}" | median)"
}

# measure BIN ATTRIBUTION: runs inside the namespace.
measure() {
	local bin=$1 attribution=$2
	echo "sockets_now $(ss -tanH | wc -l)"
	timed census "$bin/tcpaudit" sockets --no-owners --format json
	timed ss sh -c 'ss -tan | wc -l'
	if [ "$attribution" = yes ]; then
		echo "close_wait_now $(ss -tanH state close-wait | wc -l)"
		timed attribution "$bin/tcpaudit" sockets --state close-wait --by process --format json
		timed ss_p sh -c 'ss -tanp state close-wait | wc -l'
	fi
}

if [ "${1:-}" = --measure ]; then
	measure "$2" "$3"
	exit
fi

[ "$(id -u)" = 0 ] || { echo "census.sh: needs root (network namespaces)" >&2; exit 2; }
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
if [ -n "${PREBUILT:-}" ]; then
	cp "$PREBUILT/tcpaudit" "$PREBUILT/sockgen" "$bin/"
else
	go build -o "$bin/tcpaudit" ./cmd/tcpaudit
	go build -o "$bin/sockgen" ./cmd/sockgen
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
smallest=$(printf '%s\n' "${sizes[@]}" | sort -n | head -1)

# scenario NAME SIZE SOCKGEN-FLAGS...
scenario() {
	local name=$1 size=$2; shift 2
	local ns="tcpaudit-bench-$$" ready="$bin/ready" attribution=no
	rm -f "$ready"
	"$bin/sockgen" -netns "$ns" -ready "$ready" "$@" >/dev/null &
	local pid=$!
	for _ in $(seq 600); do
		[ -f "$ready" ] && break
		kill -0 "$pid" 2>/dev/null || { echo "sockgen failed" >&2; return 1; }
		sleep 0.5
	done
	[ "$name" = mixed ] && [ "$size" = "$smallest" ] && attribution=yes
	echo "== $name $size: $(cat "$ready"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	ip netns exec "$ns" "$PWD/bench/census.sh" --measure "$bin" "$attribution" | report
	kill -TERM "$pid"
	wait "$pid" || true
}

# report reads the measure lines and prints the table rows and ratios.
report() {
	awk '
	$1 == "sockets_now" || $1 == "close_wait_now" { printf "  %-28s %d\n", $1 ":", $2; next }
	{ wall[$1] = $2; rss[$1] = $3; printf "  %-28s %6d ms  peak RSS %6.1f MiB\n", $1, $2, $3 / 1024 }
	END {
		if (wall["ss"] > 0) printf "  census / ss -tan wall ratio: %.2f (target <= 0.60)\n", wall["census"] / wall["ss"]
		if (wall["ss_p"] > 0) printf "  attribution / ss -tanp ratio: %.2f (target <= 0.50)\n", wall["attribution"] / wall["ss_p"]
	}'
}

for size in "${sizes[@]}"; do
	scenario mixed "$size" -established $((size * 30 / 100)) -time-wait $((size * 60 / 100)) -close-wait $((size * 5 / 100))
	scenario timewait "$size" -time-wait "$size"
done
