package main

import (
	"fmt"
	"strings"
)

// ctStatColumns are the columns of net/stat/nf_conntrack on 6.x kernels.
var ctStatColumns = []string{"entries", "clashres", "found", "new", "invalid", "ignore", "delete",
	"chainlength", "insert", "insert_failed", "drop", "early_drop", "icmp_error",
	"expect_new", "expect_create", "expect_delete", "search_restart"}

// conntrack is a host's connection-tracking table.
type conntrack struct {
	count, max, buckets int64
	// timeouts override the default TCP timeouts by state ("time_wait").
	timeouts map[string]int64
	// stats are totals per column over all CPUs, split over cpus lines.
	stats map[string]int64
	cpus  int
}

// ctTimeouts are the kernel's default TCP timeouts in seconds
// (nf_conntrack_proto_tcp.c, tcp_timeouts[]).
var ctTimeouts = map[string]int64{"syn_sent": 120, "syn_recv": 60, "established": 432000,
	"fin_wait": 120, "close_wait": 60, "last_ack": 30, "time_wait": 120, "close": 10,
	"max_retrans": 300, "unacknowledged": 300}

// withConntrack gives the host a conntrack table with default timeouts.
func (h *host) withConntrack(count, max, buckets int64, stats map[string]int64) *conntrack {
	h.ct = &conntrack{count: count, max: max, buckets: buckets, timeouts: map[string]int64{}, stats: stats, cpus: 2}
	return h.ct
}

// addFiles writes the conntrack sysctls and net/stat/nf_conntrack.
func (c *conntrack) addFiles(t tree) {
	set := func(key string, v int64) {
		t["sys/net/netfilter/"+key] = fmt.Sprintf("%d\n", v)
	}
	set("nf_conntrack_count", c.count)
	set("nf_conntrack_max", c.max)
	set("nf_conntrack_buckets", c.buckets)
	set("nf_conntrack_tcp_loose", 1)
	set("nf_conntrack_tcp_be_liberal", 0)
	for state, v := range ctTimeouts {
		if o, ok := c.timeouts[state]; ok {
			v = o
		}
		set("nf_conntrack_tcp_timeout_"+state, v)
	}
	var b strings.Builder
	b.WriteString(strings.Join(ctStatColumns, " ") + "\n")
	for cpu := 0; cpu < c.cpus; cpu++ {
		vals := make([]string, len(ctStatColumns))
		for i, col := range ctStatColumns {
			v := c.stats[col] / int64(c.cpus)
			if cpu == 0 {
				v += c.stats[col] % int64(c.cpus)
			}
			if col == "entries" {
				v = c.count
			}
			vals[i] = fmt.Sprintf("%08x", v)
		}
		b.WriteString(strings.Join(vals, " ") + "\n")
	}
	t["net/stat/nf_conntrack"] = b.String()
}

// conntrackFull: a NAT gateway whose conntrack table is 98% full, with
// drops and insert failures since boot, an established timeout raised to
// 10 days and the conntrack TIME_WAIT lowered in the belief that it
// shortens the socket's.
func conntrackFull() *host {
	h := newHost("conntrack-full", currentRelease, 11)
	h.webServer(40, 20)
	h.sysctl["net.ipv4.ip_forward"] = "1"
	ct := h.withConntrack(64300, 65536, 16384, map[string]int64{"found": 90211, "invalid": 310,
		"insert": 0, "insert_failed": 412, "drop": 18730, "early_drop": 2210, "search_restart": 77})
	ct.timeouts["established"] = 864000
	ct.timeouts["time_wait"] = 30
	return h
}

// conntrackEstablishedLong: a firewall host whose conntrack established
// timeout was raised to 30 days while its keepalive is the default 7875 s:
// entries of peers that vanished stay for weeks. The table itself is
// quiet.
func conntrackEstablishedLong() *host {
	h := newHost("conntrack-established-long", currentRelease, 12)
	h.webServer(60, 20)
	ct := h.withConntrack(3100, 262144, 65536, map[string]int64{"found": 40120, "invalid": 12, "search_restart": 4})
	ct.timeouts["established"] = 2592000
	return h
}

// conntrackTimeoutsChanged: the conntrack TIME_WAIT and CLOSE_WAIT
// timeouts lowered (30 s, 10 s) in the belief that they shorten the
// socket's states; the established timeout is the kernel's.
func conntrackTimeoutsChanged() *host {
	h := newHost("conntrack-timeouts-changed", currentRelease, 13)
	h.webServer(60, 120)
	ct := h.withConntrack(2400, 262144, 65536, map[string]int64{"found": 28811, "invalid": 40, "search_restart": 2})
	ct.timeouts["time_wait"] = 30
	ct.timeouts["close_wait"] = 10
	return h
}

// kubernetesNode: a node where kube-proxy set conntrack at start, as it
// does by default on 2 cores: nf_conntrack_max 131072 (--conntrack-min,
// above 32768 per core × 2), hashsize 32768 (max / 4), established 86400 s
// and close_wait 3600 s; IPv4 forwarding on for pod traffic.
func kubernetesNode() *host {
	h := newHost("kubernetes-node", currentRelease, 14)
	h.webServer(40, 30)
	h.sysctl["net.ipv4.ip_forward"] = "1"
	h.hardenForKubernetes()
	kp := h.proc(1422, "kube-proxy", 0)
	h.listen(ap("127.0.0.1:10249"), 0, kp)
	h.listen(ap("[::]:10256"), 0, kp)
	ct := h.withConntrack(5200, 131072, 32768, map[string]int64{"found": 91200, "invalid": 55, "search_restart": 9})
	ct.timeouts["established"] = 86400
	ct.timeouts["close_wait"] = 3600
	return h
}

// hardenForKubernetes sets what the kubernetes-node profile (hardened,
// with loose reverse-path filtering) expects, on all, default and eth0.
func (h *host) hardenForKubernetes() {
	for _, dev := range []string{"all", "default", "eth0"} {
		for k, v := range map[string]string{"accept_redirects": "0", "log_martians": "1", "rp_filter": "2",
			"secure_redirects": "0", "send_redirects": "0"} {
			h.sysctl["net.ipv4.conf."+dev+"."+k] = v
		}
		h.sysctl["net.ipv6.conf."+dev+".accept_ra"] = "0"
		h.sysctl["net.ipv6.conf."+dev+".accept_redirects"] = "0"
	}
	h.sysctl["net.core.bpf_jit_harden"] = "2"
	h.sysctl["net.ipv4.tcp_rfc1337"] = "1"
}
