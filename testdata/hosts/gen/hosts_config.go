package main

// oldKernelTwRecycle: a Debian 9 host (Linux 4.9) where someone followed an
// old tuning guide: tcp_tw_recycle=1. tcp_tw_reuse is 0 (a boolean with
// default 0 on this kernel) and somaxconn still has the pre-5.4 default 128.
func oldKernelTwRecycle() *host {
	h := newHost("old-kernel-tw-recycle", oldRelease, 4)
	h.old = true
	for _, k := range []string{"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_autobind_reuse"} {
		delete(h.sysctl, k)
	}
	for k, v := range map[string]string{
		"net.ipv4.tcp_tw_recycle":      "1",
		"net.ipv4.tcp_tw_reuse":        "0",
		"net.core.somaxconn":           "128",
		"net.core.default_qdisc":       "pfifo_fast",
		"net.ipv4.tcp_max_syn_backlog": "512",
		"net.ipv4.tcp_max_tw_buckets":  "16384",
		"net.ipv4.tcp_max_orphans":     "16384",
		"net.ipv4.tcp_mem":             "46413\t61885\t92826",
		"net.ipv4.udp_mem":             "92829\t123773\t185658",
		"net.ipv4.tcp_rmem":            "4096\t87380\t6291456",
	} {
		h.sysctl[k] = v
	}
	h.webServer(40, 300)
	return h
}

// ipv6Only has no net/tcp at all: every socket is AF_INET6, with real IPv6
// peers, v4-mapped peers of a dual-stack listener and loopback [::1].
//
// Census: LISTEN 3, ESTABLISHED 50, TIME_WAIT 8, SYN_RECV 1; 62 sockets.
func ipv6Only() *host {
	h := newHost("ipv6-only", currentRelease, 7)
	h.noTCP = true
	sshd := h.proc(612, "sshd", 0)
	node := h.proc(1900, "node", 1000)
	pg := h.proc(1500, "postgres", 105)
	h.listen(ap("[::]:22"), 0, sshd)
	h.listen(ap("[::]:443"), 0, node)
	h.listen(ap("[::1]:5432"), 0, pg)
	for i := 0; i < 25; i++ {
		h.conn(ap("[2001:db8::10]:443"), h.client(true), stEstablished, node, true)
	}
	for i := 0; i < 12; i++ {
		c := h.client(false)
		h.conn(addrPort("::ffff:192.0.2.10", 443), addrPort("::ffff:"+c.Addr().String(), c.Port()), stEstablished, node, true)
	}
	for _, port := range h.ephemeral(5) {
		h.conn(addrPort("::1", port), ap("[::1]:5432"), stEstablished, node, true)
		h.conn(ap("[::1]:5432"), addrPort("::1", port), stEstablished, pg, true)
	}
	for _, port := range h.ephemeral(3) {
		h.conn(addrPort("2001:db8::10", port), ap("[2001:db8:2::53]:443"), stEstablished, node, true)
	}
	for i := 0; i < 8; i++ {
		h.tw(ap("[2001:db8::10]:443"), h.client(true), stTimeWait)
	}
	h.req(ap("[2001:db8::10]:443"), h.client(true), 1000)
	return h
}

// container is a network namespace's view: the global sysctls
// (tcp_max_orphans, tcp_mem, ...) do not exist there, and net.core.rmem_max,
// wmem_max, rmem_default and wmem_default show the host's value read-only
// (docs/kernel-facts.md §12); sockstat orphan and mem are host-wide.
func container() *host {
	h := newHost("container", currentRelease, 8)
	for _, k := range globalSysctls {
		delete(h.sysctl, k)
	}
	h.readOnly = map[string]bool{}
	for _, k := range readOnlyGlobalSysctls {
		h.readOnly[k] = true
	}
	node := h.proc(1, "node", 1000)
	h.listen(ap("[::]:3000"), 0, node)
	h.listen(ap("0.0.0.0:9102"), 0, h.proc(31, "exporter", 65534))
	for i := 0; i < 20; i++ {
		h.conn(addrPort("::ffff:10.244.1.17", 3000), addrPort("::ffff:10.244.0.1", uint16(40000+h.rng.IntN(20000))), stEstablished, node, true)
	}
	for i, port := range h.ephemeral(20) {
		if i < 8 {
			h.conn(addrPort("10.244.1.17", port), ap("10.96.0.10:5432"), stEstablished, node, true)
		} else {
			h.tw(addrPort("10.244.1.17", port), ap("10.96.0.10:5432"), stTimeWait)
		}
	}
	h.sockstat["TCP.orphan"] = 4
	h.sockstat["TCP.mem"] = 1520
	return h
}

// misconfigured breaks the configuration rules at once: a narrow port
// range with an unreserved listener inside it, tcp_tw_reuse 1 with
// timestamps off, tcp_fin_timeout 120, syncookies off, somaxconn 64.
func misconfigured() *host {
	h := newHost("misconfigured", currentRelease, 9)
	for k, v := range map[string]string{
		"net.ipv4.ip_local_port_range": "50000\t51000",
		"net.ipv4.tcp_tw_reuse":        "1",
		"net.ipv4.tcp_timestamps":      "0",
		"net.ipv4.tcp_fin_timeout":     "120",
		"net.ipv4.tcp_syncookies":      "0",
		"net.core.somaxconn":           "64",
	} {
		h.sysctl[k] = v
	}
	h.used[50500] = true
	h.listen(ap("0.0.0.0:50500"), 0, h.proc(733, "rpc.statd", 0))
	h.webServer(60, 40)
	h.outgoing("10.0.1.5", "10.0.2.10:5432", 100, 20)
	return h
}
