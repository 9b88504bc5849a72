#!/usr/bin/env bash
# Benchmark of the commands users run against ss, on real sockets.
#
#   sudo bench/census.sh [SIZE...]        (default sizes: 100000 1000000)
#
# For each size cmd/sockgen fills a network namespace with sockets on
# loopback in the mix of a busy proxy (62% ESTABLISHED, 19% CLOSE_WAIT, each
# with its FIN_WAIT2 peer, a few listeners; no TIME_WAIT, so the count holds
# still while it is measured) and the script times, inside the namespace and
# in the same run, the commands as users type them:
#
#   ss -tan | wc -l                               the peer for the census
#   tcpaudit sockets                              text, owners of CLOSE_WAIT
#   tcpaudit sockets --format json                the same as JSON
#   tcpaudit sockets --format json --no-owners    the census alone
#   tcpaudit sockets --format json --attribution fd-scan
#   tcpaudit check --format json                  the default audit
#   tcpaudit check --format json  (without CAP_BPF/CAP_SYS_ADMIN: fd scan)
#   ss -tanp state close-wait | wc -l             the peer for attribution
#
# Each runs ROUNDS times (default 3; the slow `ss -tanp` SSP_ROUNDS times,
# default 1) alternating with the others; the table shows the median wall
# time, the median CPU time (user + system, which load changes little), the
# median peak RSS (GNU time's %M, the kernel's maxrss) and the ratio to its
# peer. Needs root, ip(8), ss(8), setpriv(1), GNU time and Go (or
# PREBUILT=DIR holding tcpaudit and sockgen binaries). The uptime load
# average is printed before and after each size.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
SSP_ROUNDS=${SSP_ROUNDS:-1}
NOBPF=(setpriv --bounding-set=-bpf,-sys_admin,-perfmon)

now_ms() { echo $(($(date +%s%N) / 1000000)); }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# once LABEL CMD...: runs CMD once and appends "LABEL wall_ms rss_kib
# cpu_ms" to $results (a non-zero exit is fine: check exits 1 on findings);
# the CPU time is user + system, which the machine's load changes little.
once() {
	local label=$1 t0 t1
	shift
	t0=$(now_ms)
	/usr/bin/time -f '%M %U %S' -o "$results.rss" "$@" >/dev/null || true
	t1=$(now_ms)
	echo "$label $((t1 - t0)) $(tail -1 "$results.rss" | awk '{printf "%d %d", $1, ($2 + $3) * 1000}')" >>"$results"
}

# measure BIN: runs inside the namespace, prints one line per command.
measure() {
	local bin=$1 results
	results=$(mktemp)
	echo "sockets_now $(ss -tanH | wc -l)"
	echo "close_wait_now $(ss -tanH state close-wait | wc -l)"
	for _ in $(seq "$ROUNDS"); do
		once ss sh -c 'ss -tan | wc -l'
		once sockets "$bin/tcpaudit" sockets
		once sockets_json "$bin/tcpaudit" sockets --format json
		once sockets_json_no_owners "$bin/tcpaudit" sockets --format json --no-owners
		once sockets_json_fd_scan "$bin/tcpaudit" sockets --format json --attribution fd-scan
		once check "$bin/tcpaudit" check --format json
		once check_fd_scan "${NOBPF[@]}" "$bin/tcpaudit" check --format json
	done
	for _ in $(seq "$SSP_ROUNDS"); do
		once ss_p sh -c 'ss -tanp state close-wait | wc -l'
	done
	for label in $(awk '{print $1}' "$results" | awk '!seen[$0]++'); do
		echo "$label $(awk -v l="$label" '$1 == l {print $2}' "$results" | median) $(awk -v l="$label" '$1 == l {print $3}' "$results" | median) $(awk -v l="$label" '$1 == l {print $4}' "$results" | median)"
	done
	rm -f "$results" "$results.rss"
}

if [ "${1:-}" = --measure ]; then
	measure "$2"
	exit
fi

[ "$(id -u)" = 0 ] || {
	echo "census.sh: needs root (network namespaces)" >&2
	exit 2
}
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
if [ -n "${PREBUILT:-}" ]; then
	cp "$PREBUILT/tcpaudit" "$PREBUILT/sockgen" "$bin/"
else
	CGO_ENABLED=0 go build -o "$bin/tcpaudit" ./cmd/tcpaudit # static, as README builds it
	go build -o "$bin/sockgen" ./cmd/sockgen
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)

# report reads the measure lines of one size and prints the table rows.
report() {
	awk -v size="$1" '
	$1 == "sockets_now" || $1 == "close_wait_now" { n[$1] = $2; next }
	{ order[++k] = $1; wall[$1] = $2; rss[$1] = $3; cpu[$1] = $4 }
	END {
		printf "sockets: %d (%d CLOSE_WAIT)\n\n", n["sockets_now"], n["close_wait_now"]
		print "| sockets | command | wall | cpu | peak RSS | ratio |"
		print "|---|---|---|---|---|---|"
		for (i = 1; i <= k; i++) {
			l = order[i]; peer = (l == "ss" || l == "ss_p") ? "" : (l ~ /^check|fd_scan$/ ? "ss_p" : "ss")
			ratio = peer == "" ? "peer" : sprintf("%.3f× %s", wall[l] / wall[peer], peer == "ss" ? "ss -tan" : "ss -tanp")
			if (l ~ /^check/) ratio = ratio sprintf(", %.2f× ss -tan", wall[l] / wall["ss"])
			printf "| %d | %s | %d ms | %d ms | %.1f MiB | %s |\n", size, l, wall[l], cpu[l], rss[l] / 1024, ratio
		}
	}'
}

for size in "${sizes[@]}"; do
	ns="tcpaudit-bench-$$" ready="$bin/ready"
	rm -f "$ready"
	close_wait=$((size * 19 / 100))
	"$bin/sockgen" -netns "$ns" -ready "$ready" -established $((size - 2 * close_wait)) -close-wait "$close_wait" >/dev/null &
	pid=$!
	for _ in $(seq 1200); do
		[ -f "$ready" ] && break
		kill -0 "$pid" 2>/dev/null || {
			echo "sockgen failed" >&2
			exit 1
		}
		sleep 0.5
	done
	echo "== $size: $(cat "$ready"); load average $(cut -d' ' -f1-3 /proc/loadavg)"
	ip netns exec "$ns" "$PWD/bench/census.sh" --measure "$bin" | report "$size"
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	kill -TERM "$pid"
	wait "$pid" || true
done
