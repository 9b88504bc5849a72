#!/bin/sh
# Writes the fixture hosts of the hardening and performance rules:
# rules/testdata/hosts/hardening-{pass,fail,k8s,container,noipv6}/ and roles-pass/
# (testdata/hosts holds
# only what testdata/hosts/gen writes). Each is the sys/ part
# of a proc tree (sysctls and per-interface conf), enough for the rules that
# read sysctls; no socket files, so socket rules are skipped there.
#
# Run from the repository root: sh rules/testdata/hardening-hosts.sh
# (OUT=dir writes the hosts under dir instead, as the test that compares
# them with the committed ones does).
set -eu
out=${OUT:-rules/testdata/hosts}

# put HOST KEY VALUE writes one sysctl; the key is a path under sys/ with
# '/' separators, so interface names keep their dots.
put() { mkdir -p "$out/$1/sys/$(dirname "$2")"; printf '%s\n' "$3" >"$out/$1/sys/$2"; }

# scalars HOST: the plain sysctls, hardened and tuned for throughput.
scalars() {
	h=$1
	put "$h" kernel/osrelease 6.12.48+deb13-amd64
	put "$h" net/ipv4/ip_local_port_range "32768	60999"
	put "$h" net/ipv4/ip_local_reserved_ports ""
	put "$h" net/ipv4/icmp_echo_ignore_broadcasts 1
	put "$h" net/ipv4/icmp_ignore_bogus_error_responses 1
	put "$h" net/ipv4/ip_forward 0
	put "$h" net/ipv4/tcp_rfc1337 1
	put "$h" net/ipv4/tcp_syncookies 1
	put "$h" net/ipv4/tcp_timestamps 1
	put "$h" net/ipv4/tcp_tw_reuse 2
	put "$h" net/ipv4/tcp_fin_timeout 60
	put "$h" net/ipv4/tcp_max_tw_buckets 131072
	put "$h" net/ipv4/tcp_max_orphans 131072
	put "$h" net/ipv4/tcp_mem "188442	251257	376884"
	put "$h" net/ipv4/tcp_rmem "4096	131072	16777216"
	put "$h" net/ipv4/tcp_wmem "4096	16384	16777216"
	put "$h" net/ipv4/tcp_congestion_control bbr
	put "$h" net/ipv4/tcp_available_congestion_control "reno cubic bbr"
	put "$h" net/ipv4/tcp_slow_start_after_idle 0
	put "$h" net/core/somaxconn 4096
	put "$h" net/core/rmem_max 16777216
	put "$h" net/core/wmem_max 16777216
	put "$h" net/core/default_qdisc fq
	put "$h" net/core/bpf_jit_harden 2
}

# conf HOST FAMILY DEVICE SETTING=VALUE...
conf() {
	h=$1 fam=$2 dev=$3
	shift 3
	for kv in "$@"; do put "$h" "net/$fam/conf/$dev/${kv%%=*}" "${kv#*=}"; done
}

v4good="rp_filter=1 accept_redirects=0 secure_redirects=0 send_redirects=0 accept_source_route=0 log_martians=1 forwarding=0"
v6good="accept_ra=0 accept_redirects=0 accept_source_route=0 forwarding=0"

# hardening-pass: every rule of hardened and high-throughput passes. eth0
# relies on the kernel's combination: its own rp_filter 0 and log_martians
# 0 are overridden by conf/all (max, OR) and its accept_source_route 1 is
# masked by conf/all 0 (AND). lo is not judged. eth0.100 has a dot.
h=hardening-pass
rm -rf "$out/$h"
scalars $h
for d in all default eth0.100; do conf $h ipv4 $d $v4good; conf $h ipv6 $d $v6good; done
conf $h ipv4 eth0 rp_filter=0 accept_redirects=0 secure_redirects=0 send_redirects=0 accept_source_route=1 log_martians=0 forwarding=0
conf $h ipv6 eth0 $v6good
conf $h ipv4 lo rp_filter=0 accept_redirects=1 secure_redirects=1 send_redirects=1 accept_source_route=1 log_martians=0 forwarding=0
conf $h ipv6 lo accept_ra=1 accept_redirects=1 accept_source_route=0 forwarding=0

# hardening-fail: conf/all and conf/default look hardened, but interfaces
# override them where the kernel lets them: eth0 keeps send_redirects,
# secure_redirects and accept_redirects 1 (OR) and IPv6 accept_redirects 1
# (interface value only), eth0.100 keeps IPv6 accept_ra 2 (accepted even
# while it forwards) and accept_redirects 1, which its forwarding makes the
# kernel ignore. conf/all accept_source_route 1 lets eth1's 1 through (AND).
# Every scalar fails.
h=hardening-fail
rm -rf "$out/$h"
scalars $h
put $h net/ipv4/icmp_echo_ignore_broadcasts 0
put $h net/ipv4/icmp_ignore_bogus_error_responses 0
put $h net/ipv4/ip_forward 1
put $h net/ipv4/tcp_rfc1337 0
put $h net/ipv4/tcp_timestamps 0
put $h net/ipv4/tcp_syncookies 0
put $h net/core/bpf_jit_harden 0
put $h net/ipv4/tcp_rmem "4096	131072	6291456"
put $h net/ipv4/tcp_wmem "4096	16384	4194304"
put $h net/core/rmem_max 212992
put $h net/core/wmem_max 212992
put $h net/ipv4/tcp_congestion_control cubic
put $h net/ipv4/tcp_available_congestion_control "reno cubic"
put $h net/core/default_qdisc pfifo_fast
put $h net/ipv4/tcp_slow_start_after_idle 1
conf $h ipv4 all rp_filter=0 accept_redirects=0 secure_redirects=0 send_redirects=0 accept_source_route=1 log_martians=0 forwarding=1
conf $h ipv4 default $v4good
conf $h ipv4 eth0 rp_filter=0 accept_redirects=1 secure_redirects=1 send_redirects=1 accept_source_route=0 log_martians=0 forwarding=0
conf $h ipv4 eth1 $v4good
conf $h ipv4 eth1 accept_source_route=1
conf $h ipv4 eth0.100 $v4good
conf $h ipv4 eth0.100 rp_filter=0
conf $h ipv6 all accept_ra=0 accept_redirects=0 accept_source_route=1 forwarding=1
conf $h ipv6 default $v6good
conf $h ipv6 eth0 $v6good
conf $h ipv6 eth0 accept_source_route=1 accept_redirects=1
conf $h ipv6 eth1 $v6good
conf $h ipv6 eth0.100 accept_ra=2 accept_redirects=1 accept_source_route=0 forwarding=1

# hardening-k8s: a Kubernetes node: forwarding on everywhere, loose
# rp_filter, pod veths; everything else hardened.
h=hardening-k8s
rm -rf "$out/$h"
scalars $h
put $h net/ipv4/ip_forward 1
for d in all default eth0 cni0 veth1a2b3c; do
	conf $h ipv4 $d $v4good
	conf $h ipv4 $d rp_filter=2 forwarding=1
	conf $h ipv6 $d $v6good
done

# hardening-container: a container's network namespace on Linux 6.1: the
# global keys (net.core.rmem_max, wmem_max, default_qdisc, bpf_jit_harden,
# tcp_mem, tcp_max_orphans) do not exist there (newer kernels show rmem_max
# and wmem_max read-only; testdata/hosts/container is such a namespace).
h=hardening-container
rm -rf "$out/$h"
cp -r "$out/hardening-pass" "$out/$h"
put "$h" kernel/osrelease 6.1.0-18-amd64
rm "$out/$h/sys/net/core/rmem_max" "$out/$h/sys/net/core/wmem_max" "$out/$h/sys/net/core/default_qdisc" \
	"$out/$h/sys/net/core/bpf_jit_harden" "$out/$h/sys/net/ipv4/tcp_mem" "$out/$h/sys/net/ipv4/tcp_max_orphans"

# hardening-noipv6: IPv6 disabled (ipv6.disable=1): no sys/net/ipv6 at all.
h=hardening-noipv6
rm -rf "$out/$h"
cp -r "$out/hardening-pass" "$out/$h"
rm -r "$out/$h/sys/net/ipv6"

# roles-pass: hardening-pass tuned for the web-server and client-heavy
# roles as well: a 55296-port ephemeral range, tcp_tw_reuse 1.
h=roles-pass
rm -rf "$out/$h"
cp -r "$out/hardening-pass" "$out/$h"
put $h net/ipv4/ip_local_port_range "10240	65535"
put $h net/ipv4/tcp_tw_reuse 1

# roles-fail: roles-pass with somaxconn lowered to 1024, below the default
# of 4096 that a 6.12 kernel starts with.
h=roles-fail
rm -rf "$out/$h"
cp -r "$out/roles-pass" "$out/$h"
put $h net/core/somaxconn 1024
