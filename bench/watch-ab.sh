#!/usr/bin/env bash
# The run time of watch's BPF programs, per run, for two or more builds of
# tcpaudit compared in the same minutes.
#
#   sudo bench/watch-ab.sh DIR_A DIR_B [DIR...]
#
# Each DIR holds a tcpaudit and a churn binary (go build -o DIR/tcpaudit
# ./cmd/tcpaudit; go build -o DIR/churn ./bench/churn). ROUNDS times
# (default 3), for each DIR in turn, in a network namespace made for the
# run: bench/churn runs for DURATION (default 6 s) without watch, then with
# `DIR/tcpaudit watch --netns` on the namespace, with
# kernel.bpf_stats_enabled set (restored at the end). It prints the cycles
# per second of both, their ratio, and each program's run time as the
# kernel accounts it (bpftool): the ratio varies with the machine's load,
# the nanoseconds per run much less. Programs of other tcpaudit processes
# running at the same time count too: run it on a quiet machine.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-6s}
[ $# -ge 2 ] || { echo "usage: $0 DIR_A DIR_B [DIR...]" >&2; exit 2; }
. "$(dirname "$0")/watch-attached.sh"
ns=tcpaudit-ab-$$
ip netns add "$ns"
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled="$stats_was"; ip netns delete "$ns"' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_tw_reuse=1
sysctl -qw kernel.bpf_stats_enabled=1
secs=${DURATION%s}
tmp=$(mktemp -d)

churn_rate() { ip netns exec "$ns" "$1/churn" -duration "$DURATION" | awk '{print $6}'; }

for _ in $(seq "$ROUNDS"); do
	for dir in "$@"; do
		without=$(churn_rate "$dir")
		"$dir/tcpaudit" watch --netns "/run/netns/$ns" --duration "$((secs + 3))s" --format json >/dev/null 2>"$tmp/err" &
		pid=$!
		wait_attached "$pid"
		with=$(churn_rate "$dir")
		bpftool prog show --json >"$tmp/progs.json"
		wait "$pid" || cat "$tmp/err" >&2
		python3 - "$dir" "$without" "$with" "$tmp/progs.json" <<'PY'
import json, sys
names = {"on_state", "on_send_reset", "on_receive_rese", "on_synack", "on_retransmit", "on_kfree_skb", "on_consume_skb",
         "on_late_fin"}
progs = [p for p in json.load(open(sys.argv[4])) if p.get("name") in names and p.get("run_cnt", 0) > 0]
runs = "; ".join("%s %.0f ns/run (%d runs)" % (p["name"], p["run_time_ns"] / p["run_cnt"], p["run_cnt"])
                 for p in sorted(progs, key=lambda p: -p["run_time_ns"]))
print("%s: churn %s cycles/s without watch, %s with, ratio %.3f; %s"
      % (sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[3]) / float(sys.argv[2]), runs))
PY
	done
done
