package main

// outgoing adds n connections from local to dst on ephemeral ports, the
// first est ESTABLISHED (held by no process directory in the tree) and the
// rest in TIME_WAIT.
func (h *host) outgoing(local, dst string, n, est int) {
	for i, port := range h.ephemeral(n) {
		if i < est {
			h.conn(addrPort(local, port), ap(dst), stEstablished, nil, true)
		} else {
			h.tw(addrPort(local, port), ap(dst), stTimeWait)
		}
	}
}

// portExhaustion is the large fixture (over 50,000 sockets): an application
// opens a new connection to PostgreSQL per request, so 24,500 of the 28,232
// ephemeral ports toward 10.0.2.10:5432 are taken, most in TIME_WAIT. Other
// destinations, and the same destination from another source address, are
// light; 26,000 inbound connections on 443 use no ephemeral port at all.
func portExhaustion() *host {
	h := newHost("port-exhaustion", currentRelease, 3)
	h.webServer(0, 0)
	h.outgoing("10.0.1.5", "10.0.2.10:5432", 24500, 9500)
	h.outgoing("10.0.1.5", "10.0.2.11:6379", 300, 300)
	h.outgoing("10.0.1.5", "10.0.2.12:443", 120, 60)
	h.outgoing("10.0.1.6", "10.0.2.10:5432", 500, 200)
	for i := 0; i < 26000; i++ {
		if i < 18000 {
			h.conn(ap("10.0.1.5:443"), h.client(false), stEstablished, nil, true)
		} else {
			h.tw(ap("10.0.1.5:443"), h.client(false), stTimeWait)
		}
	}
	h.counters["TcpExt.TW"] = 91822310
	h.counters["Tcp.ActiveOpens"] = 90122873
	return h
}

// listenOverflow: a Java service asks for a large backlog (clamped to
// somaxconn 4096) and does not accept() fast enough: its accept queue holds
// 4097 connections (sk_ack_backlog may pass the limit by one), children not
// yet accepted have no inode, and the counters show drops.
func listenOverflow() *host {
	h := newHost("listen-overflow", currentRelease, 5)
	h.webServer(60, 30)
	java := h.proc(2400, "java", 1000)
	h.listen(ap("0.0.0.0:8443"), 4097, java)
	for i := 0; i < 4097; i++ {
		h.conn(ap("10.0.1.5:8443"), h.client(false), stEstablished, nil, false)
	}
	for i := 0; i < 40; i++ {
		h.conn(ap("10.0.1.5:8443"), h.client(false), stEstablished, java, true)
	}
	for i := 0; i < 256; i++ {
		h.req(ap("10.0.1.5:8443"), h.client(false), 1000)
	}
	h.counters["TcpExt.ListenOverflows"] = 18234
	h.counters["TcpExt.ListenDrops"] = 18391
	h.counters["TcpExt.TCPReqQFullDoCookies"] = 1207
	h.counters["TcpExt.SyncookiesSent"] = 1207
	h.counters["TcpExt.SyncookiesRecv"] = 1140
	h.counters["TcpExt.SyncookiesFailed"] = 9
	return h
}

// twOverflow: tcp_max_tw_buckets was lowered to 4096 (docs/kernel-facts.md §15 myth
// 10); the table is full (sockstat tw counts TIME_WAIT and orphaned
// FIN_WAIT2 entries) and the kernel has skipped TIME_WAIT for 48,211
// connections.
func twOverflow() *host {
	h := newHost("tw-overflow", currentRelease, 6)
	h.sysctl["net.ipv4.tcp_max_tw_buckets"] = "4096"
	h.webServer(100, 3500)
	h.outgoing("10.0.1.5", "10.0.2.20:8080", 590, 0)
	for i := 0; i < 6; i++ {
		h.tw(ap("10.0.1.5:443"), h.client(false), stFinWait2)
	}
	h.counters["TcpExt.TCPTimeWaitOverflow"] = 48211
	return h
}

// memoryPressure: a small (1 GiB) host whose clients stopped reading.
// Orphans with unsent data pile up in FIN_WAIT1; sockstat orphan is global
// and also counts the orphans of the containers on this host, so it is
// larger than the orphans listed here (docs/kernel-facts.md §11). TCP memory is
// above tcp_mem's pressure threshold.
func memoryPressure() *host {
	h := newHost("memory-pressure", currentRelease, 10)
	for k, v := range map[string]string{
		"net.ipv4.tcp_mem":             "22917\t30557\t45834",
		"net.ipv4.tcp_max_orphans":     "4096",
		"net.ipv4.tcp_max_tw_buckets":  "4096",
		"net.ipv4.tcp_max_syn_backlog": "128",
		"net.ipv4.udp_mem":             "45837\t61117\t91674",
	} {
		h.sysctl[k] = v
	}
	worker := h.webServer(200, 300)
	for i := 0; i < 150; i++ {
		s := h.conn(ap("10.0.1.5:443"), h.client(false), stEstablished, worker, true)
		s.rx = uint32(0x20000 + h.rng.IntN(0x40000))
	}
	for i, st := range []byte{stFinWait1, stLastAck, stClosing} {
		for j := 0; j < []int{900, 40, 10}[i]; j++ {
			s := h.conn(ap("10.0.1.5:443"), h.client(false), st, nil, false)
			s.tx = uint32(0x8000 + h.rng.IntN(0x30000))
		}
	}
	h.sockstat["TCP.orphan"] = 3803
	h.sockstat["TCP.mem"] = 31240
	for k, v := range map[string]int64{
		"TCPMemoryPressures": 37, "TCPMemoryPressuresChrono": 91234, "TCPAbortOnMemory": 912,
		"PruneCalled": 3321, "RcvPruned": 12, "OfoPruned": 41, "TCPRcvQDrop": 432,
	} {
		h.counters["TcpExt."+k] = v
	}
	return h
}
