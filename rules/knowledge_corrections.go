package rules

import (
	"slices"
	"strings"
)

// Corrections of the misconceptions docs/kernel-facts.md §15 lists, stated as what
// is true, never by repeating the misconception.
const (
	globalCorrection = "It is global in Linux 6.1: only the initial network namespace has it. Where a " +
		"container's namespace lacks it, that says nothing about its value."
	readOnlyCorrection = "It is global: one value for the host, which only the initial network namespace " +
		"can change. In Linux 6.1 a container's namespace does not have it (that says nothing about its " +
		"value); newer kernels show it there read-only, with the host's value, so a fix for it belongs on the host."
	orCorrection = "conf/all = 0 does not turn it off everywhere: the kernel ORs conf/all with " +
		"each interface's own value, so every interface must be 0."
	ipv6OwnCorrection = "conf/all is not read for existing interfaces: only each interface's " +
		"own value counts, and conf/default seeds interfaces created later. Set it per interface."
)

var keyCorrections = map[string][]string{
	"net.ipv4.tcp_fin_timeout": {
		"tcp_fin_timeout does not shorten TIME_WAIT: TIME_WAIT is fixed at 60 s (TCP_TIMEWAIT_LEN) and no sysctl changes it; tcp_fin_timeout only bounds orphaned FIN_WAIT2 sockets.",
		"FIN_WAIT2 (05) and TIME_WAIT (06) are different states; the 60 s default equals the TIME_WAIT length only by coincidence.",
	},
	"net.ipv4.tcp_tw_recycle": {
		"Removed in Linux 4.12 (commit 4396e46187ca). Before that it dropped SYNs from clients behind NAT, and it broke for every peer once timestamp offsets were randomized per connection. A configuration line that still sets it is stale: delete it.",
	},
	"net.ipv4.tcp_tw_reuse": {
		"It acts only in connect(), for outgoing connections; it changes nothing for connections a server accepts.",
		"It does not shorten or remove TIME_WAIT entries: it lets a new outgoing connection take one over, only when timestamps were on for the old connection, and only after a delay: tcp_tw_reuse_delay (1000 ms by default, from the entry into TIME_WAIT) where that key exists, else until the clock second passes the old connection's last timestamp, sometimes only milliseconds.",
		"A socket already bound to a local port takes over a TIME_WAIT entry that carries a timestamp whatever tcp_tw_reuse says.",
		"The default is 2 (loopback only) on current kernels.",
	},
	"net.ipv4.ip_local_port_range": {
		"The range does not cap the host's connections: it limits connect() per (source IP, destination IP, destination port) only, a server port accepts any number of clients, and totals are bounded by memory (tcp_mem), file descriptors and tcp_max_orphans.",
	},
	"net.ipv4.tcp_timestamps": {
		"Keep it on: mode 1 (the default) already uses a random offset per connection, and turning timestamps off breaks PAWS and tcp_tw_reuse.",
	},
	"net.ipv4.tcp_max_syn_backlog": {
		"It does not size the SYN queue: the queue counts as full against min(listen backlog, somaxconn). This key only matters while syncookies are off.",
	},
	"net.core.somaxconn": {"The default is 4096 since Linux 5.4 (it was 128 before)."},
	"net.ipv4.tcp_max_tw_buckets": {
		"Keep the default: past the limit sockets close without TIME_WAIT protection (TcpExt TCPTimeWaitOverflow), and the kernel documentation says it must not be lowered artificially.",
		"Current kernels log nothing when the limit is hit; the TCPTimeWaitOverflow counter is the signal.",
	},
	"net.ipv4.tcp_orphan_retries": {"0 means 8 retries while the peer is alive."},
	"net.ipv4.tcp_keepalive_time": {
		"It applies only to sockets with SO_KEEPALIVE set, and it only starts probing: the connection is declared dead after tcp_keepalive_probes unanswered probes, tcp_keepalive_intvl apart.",
	},
	"net.ipv4.tcp_mem": {"The unit is pages (sockstat mem is in pages too).", globalCorrection},
	"net.ipv4.tcp_rmem": {
		"The third field caps autotuning only; a buffer set with SO_RCVBUF is bounded by net.core.rmem_max, and setting it turns autotuning off for that socket.",
	},
	"net.ipv4.tcp_wmem": {
		"The third field caps autotuning only; a buffer set with SO_SNDBUF is bounded by net.core.wmem_max, and setting it turns autotuning off for that socket.",
	},
	"net.ipv4.tcp_rfc1337": {
		"The kernel documentation words it backwards: with 0 (the default) an in-window RST ends TIME_WAIT early; with 1 such RSTs are ignored.",
	},
	"net.ipv4.conf.all.rp_filter": {
		"conf/all = 0 does not turn it off everywhere: the kernel uses max(conf/all, conf/<interface>).",
	},
	"net.ipv4.conf.all.log_martians":   {orCorrection},
	"net.ipv4.conf.all.send_redirects": {orCorrection},
	"net.ipv4.conf.all.secure_redirects": {
		"It acts only on interfaces whose shared_media is 0; shared_media defaults to 1, and then redirects to any gateway are accepted whatever secure_redirects says. accept_redirects = 0 is the control that works.",
		orCorrection,
	},
	"net.ipv4.conf.all.accept_source_route": {"Here conf/all = 0 does turn it off everywhere: the kernel ANDs conf/all with each interface's value."},
	"net.ipv4.conf.all.accept_redirects": {
		"conf/all = 0 turns it off only on interfaces that forward (AND); on the others the kernel ORs it with the interface's own value.",
	},
	"net.ipv6.conf.all.accept_ra":        {ipv6OwnCorrection},
	"net.ipv6.conf.all.accept_redirects": {ipv6OwnCorrection},
}

// corrections returns the corrections for a key; conf/default shares those
// of conf/all, and every global key says what its absence (or its
// read-only view) in a child namespace means.
func corrections(key string) []string {
	c := keyCorrections[strings.Replace(key, ".conf.default.", ".conf.all.", 1)]
	scope := globalCorrection
	if ReadOnlyInChild(key) {
		scope = readOnlyCorrection
	}
	if IsGlobalKey(key) && !slices.Contains(c, scope) {
		c = append(append([]string(nil), c...), scope)
	}
	return c
}
