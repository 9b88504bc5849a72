#!/usr/bin/env bash
# Overhead of `tcpaudit watch` on a connection-churn load, measured in one run.
#
#   sudo bench/watch.sh
#
# In a network namespace made for the run, bench/churn connects and closes
# loopback connections as fast as it can for DURATION (default 10 s),
# ROUNDS times (default 3) without watch and with `tcpaudit watch` running,
# alternated (odd rounds without watch first, even rounds with it first, so
# that a steady drift of the machine's load favours neither). It prints the
# median cycles per second of each and their ratio (target: at least 0.95),
# then each round's pair ratio (the two runs seconds apart), their median
# and range: the range says how much noise one ratio carries, and the load
# average (run it on a quiet machine: other load moves the ratio by several
# hundredths). Then, with churn paced at RATE cycles/s (default 1000: about 10
# transitions each, so about 10,000 transitions/s), it prints the CPU watch
# used (utime + stime from /proc/PID/stat) as a share of one core, the
# transitions per second watch itself measured, and watch's peak RSS
# (VmHWM), and, with bpftool, the run time of the BPF programs as the kernel
# accounts it (kernel.bpf_stats_enabled) for this watch process's programs:
# in all, per run, per transition traced in the namespace and per cycle.
# Needs root, ip(8) and Go (or PREBUILT=DIR
# holding tcpaudit and churn binaries).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
RATE=${RATE:-1000}
cd "$(dirname "$0")/.."
. bench/watch-attached.sh

bin=${PREBUILT:-}
if [ -z "$bin" ]; then
	bin=$(mktemp -d)
	go build -o "$bin/tcpaudit" ./cmd/tcpaudit
	go build -o "$bin/churn" ./bench/churn
fi
ns=tcpaudit-bench-$$
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
in_ns() { ip netns exec "$ns" "$@"; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# cpu_ticks PID: utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# churn_rate ARGS...: runs churn in the namespace, prints cycles per second.
churn_rate() { in_ns "$bin/churn" -duration "$DURATION" "$@" | awk '{print $6}'; }

# start_watch SECONDS: starts watch on the namespace (from outside it, so
# that it is a child of this shell) and waits until it has attached.
start_watch() {
	"$bin/tcpaudit" watch --netns "/run/netns/$ns" --duration "$1s" --format json >"$bin/watch.json" 2>"$bin/watch.err" &
	pid=$!
	wait_attached "$pid"
}

secs=${DURATION%s}
without=() with=()
# with_watch: one churn run with watch attached, its rate appended to with.
with_watch() {
	start_watch $((secs + 2))
	with+=("$(churn_rate)")
	wait "$pid" || cat "$bin/watch.err" >&2
}
for round in $(seq "$ROUNDS"); do
	if [ $((round % 2)) -eq 1 ]; then
		without+=("$(churn_rate)")
		with_watch
	else
		with_watch
		without+=("$(churn_rate)")
	fi
done
a=$(printf '%s\n' "${without[@]}" | median)
b=$(printf '%s\n' "${with[@]}" | median)
echo "churn_without_watch_cycles_per_s $a (runs: ${without[*]})"
echo "churn_with_watch_cycles_per_s $b (runs: ${with[*]})"
awk -v a="$a" -v b="$b" 'BEGIN {printf "throughput_ratio %.3f (target >= 0.95)\n", b / a}'
pairs=()
for i in "${!with[@]}"; do
	pairs+=("$(awk -v a="${without[$i]}" -v b="${with[$i]}" 'BEGIN {printf "%.3f", b / a}')")
done
printf '%s\n' "${pairs[@]}" | sort -n | awk -v all="${pairs[*]}" '{r[NR] = $1}
	END {printf "pair_ratio_median %s (pairs: %s; range %s to %s)\n", r[int((NR + 1) / 2)], all, r[1], r[NR]}'
echo "load_average $(cut -d' ' -f1-3 /proc/loadavg)"

# The kernel's own accounting of the programs' run time (bpf_stats) for the
# paced run: nanoseconds per event, independent of the machine's load.
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
trap 'sysctl -qw kernel.bpf_stats_enabled="$stats_was"; ip netns delete "$ns"' EXIT
start_watch $((secs + 2))
t0=$(cpu_ticks "$pid")
s0=$(date +%s%N)
paced=$(churn_rate -rate "$RATE")
t1=$(cpu_ticks "$pid")
s1=$(date +%s%N)
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
# The programs of this watch process alone (another one running on the
# machine has its own): the ids in the fdinfo of its BPF program fds.
for fd in /proc/"$pid"/fd/*; do
	[ "$(readlink "$fd")" = anon_inode:bpf-prog ] && awk '/^prog_id:/ {print $2}' "/proc/$pid/fdinfo/${fd##*/}"
done >"$bin/ids.txt"
bpftool prog show --json >"$bin/progs.json" 2>/dev/null || echo '[]' >"$bin/progs.json"
wait "$pid" || cat "$bin/watch.err" >&2
hz=$(getconf CLK_TCK)
echo "paced_churn_cycles_per_s $paced"
awk -v t=$((t1 - t0)) -v hz="$hz" -v ns=$((s1 - s0)) \
	'BEGIN {printf "watch_cpu_share_of_one_core %.2f%% (target <= 5%%)\n", 100 * t / hz / (ns / 1e9)}'
python3 - "$bin/watch.json" "$paced" "$secs" "$bin/progs.json" "$bin/ids.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = sum(t["count"] for t in r["transitions"])
secs = float(sys.argv[3])
cycles = float(sys.argv[2]) * secs
print("watch_counted_transitions %d: %.0f per second of churn, %.1f per cycle (source %s)"
      % (n, n / secs, n / cycles, r["source"]))
ids = {int(l) for l in open(sys.argv[5]) if l.strip()}
progs = [p for p in json.load(open(sys.argv[4])) if p.get("id") in ids]
for p in sorted(progs, key=lambda p: -p.get("run_time_ns", 0)):
    runs, ns = p.get("run_cnt", 0), p.get("run_time_ns", 0)
    print("bpf_program %s: %.1f ms in %d runs (%.0f ns/run; %.2f runs and %.0f ns per cycle)"
          % (p["name"], ns / 1e6, runs, ns / max(runs, 1), runs / cycles, ns / cycles))
ns = sum(p.get("run_time_ns", 0) for p in progs)
runs = sum(p.get("run_cnt", 0) for p in progs)
if runs:
    # The programs also run, and return at once, for other namespaces' sockets
    # and packets.
    print("bpf_programs_run_ms %.1f in %d runs (%.0f ns/run); per transition traced: %.0f ns; per cycle: %.0f ns; %.2f%% of one core"
          % (ns / 1e6, runs, ns / runs, ns / max(n, 1), ns / cycles, 100 * ns / 1e9 / (secs + 2)))
PY
echo "watch_peak_rss_kib $rss"
