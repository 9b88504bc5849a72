package main

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"
)

// host is one fixture: a kernel, its sysctls, its sockets, its processes
// and the counters it reports.
type host struct {
	name    string
	release string
	sysctl  map[string]string
	// readOnly marks sysctls written without write bits, as a child
	// namespace shows a global key (docs/kernel-facts.md §12).
	readOnly map[string]bool
	// noTCP leaves net/tcp out of the tree.
	noTCP bool
	socks []sock
	procs []*proc
	// counters override net/netstat and net/snmp values: "TcpExt.ListenDrops".
	counters map[string]int64
	// sockstat overrides computed sockstat fields: "TCP.orphan".
	sockstat map[string]int64
	old      bool // a 4.x kernel: older counter lists
	// ct is the connection-tracking table; nil: conntrack not in use.
	ct      *conntrack
	rng     *rand.Rand
	inode   uint64
	used    map[uint16]bool
	clients map[netip.AddrPort]bool
}

// proc is a process directory: <pid>/comm and <pid>/fd/N symlinks.
type proc struct {
	pid  int
	comm string
	uid  uint32
	fds  []string
}

func newHost(name, release string, seed uint64) *host {
	return &host{
		name: name, release: release,
		sysctl:   baseSysctls(),
		counters: map[string]int64{},
		sockstat: map[string]int64{},
		rng:      rand.New(rand.NewPCG(seed, 0x7c)),
		inode:    20000 + seed*1000,
		used:     map[uint16]bool{},
		clients:  map[netip.AddrPort]bool{},
	}
}

func (h *host) proc(pid int, comm string, uid uint32, extra ...string) *proc {
	p := &proc{pid: pid, comm: comm, uid: uid, fds: append([]string{"/dev/null", "/dev/null", "/dev/null"}, extra...)}
	h.procs = append(h.procs, p)
	return p
}

// ap parses "10.0.0.1:80" or "[2001:db8::1]:443".
func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func addrPort(addr string, port uint16) netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr(addr), port)
}

func (h *host) nextInode() uint64 {
	h.inode += 1 + uint64(h.rng.IntN(7))
	return h.inode
}

func (h *host) ptr() uint64 { return uint64(h.rng.Uint32()) | 1<<28 }

// own gives the socket an inode held by p (nil: held by no process).
func (h *host) own(s *sock, p *proc) {
	s.inode = h.nextInode()
	if p != nil {
		s.uid = p.uid
		p.fds = append(p.fds, fmt.Sprintf("socket:[%d]", s.inode))
	}
}

// listen adds a listener with acceptQ connections waiting in its queue.
func (h *host) listen(local netip.AddrPort, acceptQ uint32, p *proc) {
	s := sock{local: local, remote: netip.AddrPortFrom(unspecified(local), 0), st: stListen, rx: acceptQ, ptr: h.ptr()}
	h.own(&s, p)
	h.socks = append(h.socks, s)
}

func unspecified(a netip.AddrPort) netip.Addr {
	if a.Addr().Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// conn adds a full socket held by p; p nil with owned false makes an orphan
// or an unaccepted child (inode 0).
func (h *host) conn(local, remote netip.AddrPort, st byte, p *proc, owned bool) *sock {
	s := sock{local: local, remote: remote, st: st, ptr: h.ptr()}
	switch st {
	case stEstablished, stCloseWait:
		if h.rng.IntN(4) == 0 {
			s.timer, s.when = 2, uint32(h.rng.IntN(720000)) // keepalive
		}
	case stFinWait1, stLastAck, stClosing, stSynSent:
		s.timer, s.when, s.retr = 1, uint32(20+h.rng.IntN(400)), uint32(h.rng.IntN(4))
	}
	if owned {
		h.own(&s, p)
	}
	h.socks = append(h.socks, s)
	return &h.socks[len(h.socks)-1]
}

// tw adds a timewait minisock: TIME_WAIT, or an orphaned FIN_WAIT2.
func (h *host) tw(local, remote netip.AddrPort, st byte) {
	h.socks = append(h.socks, sock{local: local, remote: remote, st: st, kind: twSock,
		timer: 3, when: uint32(h.rng.IntN(6000)), ptr: h.ptr()})
}

// req adds an embryonic connection (request sock) on a listener of uid.
func (h *host) req(local, remote netip.AddrPort, uid uint32) {
	h.socks = append(h.socks, sock{local: local, remote: remote, st: stSynRecv, kind: reqSock,
		timer: 1, when: uint32(h.rng.IntN(300)), retr: uint32(h.rng.IntN(3)), uid: uid, ptr: h.ptr()})
}

// ephemeral returns n distinct ports of the host's ip_local_port_range in
// random order, none handed out before on this host, so no two sockets
// share a 4-tuple.
func (h *host) ephemeral(n int) []uint16 {
	var lo, hi uint16
	if _, err := fmt.Sscan(h.sysctl["net.ipv4.ip_local_port_range"], &lo, &hi); err != nil {
		panic(err)
	}
	out := make([]uint16, 0, n)
	for _, p := range h.rng.Perm(int(hi-lo) + 1) {
		port := lo + uint16(p)
		if len(out) == n {
			break
		}
		if !h.used[port] {
			h.used[port] = true
			out = append(out, port)
		}
	}
	return out
}

// client returns a client endpoint from the documentation ranges, a new
// one on each call.
func (h *host) client(v6 bool) netip.AddrPort {
	for {
		var c netip.AddrPort
		port := uint16(1024 + h.rng.IntN(64511))
		if v6 {
			c = addrPort(fmt.Sprintf("2001:db8:%x::%x", 1+h.rng.IntN(200), 1+h.rng.IntN(0xfffe)), port)
		} else {
			nets := []string{"192.0.2", "198.51.100", "203.0.113"}
			c = addrPort(fmt.Sprintf("%s.%d", nets[h.rng.IntN(3)], 1+h.rng.IntN(254)), port)
		}
		if !h.clients[c] {
			h.clients[c] = true
			return c
		}
	}
}

// shuffle puts the established hash in a random, reproducible order.
func (h *host) shuffle() {
	h.rng.Shuffle(len(h.socks), func(i, j int) { h.socks[i], h.socks[j] = h.socks[j], h.socks[i] })
}

// files renders the whole tree.
func (h *host) files() tree {
	h.shuffle()
	t := tree{"sys/kernel/osrelease": h.release + "\n"}
	for k, v := range h.sysctl {
		content := v + "\n"
		if h.readOnly[k] {
			content = readOnlyPrefix + content
		}
		t["sys/"+strings.ReplaceAll(k, ".", "/")] = content
	}
	if !h.noTCP {
		t["net/tcp"] = renderTCP(h.socks, false)
	}
	t["net/tcp6"] = renderTCP(h.socks, true)
	t["net/sockstat"], t["net/sockstat6"] = h.renderSockstat()
	t["net/netstat"] = h.renderNetstat()
	t["net/snmp"] = h.renderSNMP()
	if h.ct != nil {
		h.ct.addFiles(t)
	}
	sort.Slice(h.procs, func(i, j int) bool { return h.procs[i].pid < h.procs[j].pid })
	for _, p := range h.procs {
		dir := fmt.Sprint(p.pid)
		t[dir+"/comm"] = p.comm + "\n"
		for i, target := range p.fds {
			t[fmt.Sprintf("%s/fd/%d", dir, i)] = symlinkPrefix + target
		}
	}
	return t
}
