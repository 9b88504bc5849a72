package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// TCP states as /proc/net/tcp prints them (include/net/tcp_states.h).
const (
	stEstablished = 0x01
	stSynSent     = 0x02
	stSynRecv     = 0x03
	stFinWait1    = 0x04
	stFinWait2    = 0x05
	stTimeWait    = 0x06
	stCloseWait   = 0x08
	stLastAck     = 0x09
	stListen      = 0x0A
	stClosing     = 0x0B
)

// kind is which kernel function prints the line (docs/kernel-facts.md §1).
type kind int

const (
	fullSock kind = iota // get_tcp4_sock / get_tcp6_sock
	twSock               // get_timewait4_sock: TIME_WAIT or orphaned FIN_WAIT2
	reqSock              // get_openreq4: embryonic SYN_RECV
)

// sock is one line of /proc/net/tcp or tcp6.
type sock struct {
	local, remote netip.AddrPort
	st            byte
	kind          kind
	tx, rx        uint32
	timer         byte
	when          uint32 // clock ticks (USER_HZ)
	retr          uint32
	uid           uint32
	inode         uint64 // 0 for minisocks, request socks, orphans, unaccepted children
	ptr           uint64
}

// v6 reports whether the socket is listed in tcp6 (AF_INET6, including
// v4-mapped peers of dual-stack sockets).
func (s sock) v6() bool { return s.local.Addr().Is6() }

const (
	tcpHeader  = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
	tcp6Header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
	// lineWidth is the width tcp4_seq_show pads every line to (TMPSZ - 1).
	lineWidth = 149
)

// renderTCP renders the sockets of one family in the kernel's order:
// listeners first (lhash2), then the established hash in the order given.
func renderTCP(socks []sock, v6 bool) string {
	var b strings.Builder
	if v6 {
		b.WriteString(tcp6Header + "\n")
	} else {
		b.WriteString(pad(tcpHeader) + "\n")
	}
	sl := 0
	for pass := 0; pass < 2; pass++ {
		for _, s := range socks {
			if s.v6() != v6 || (s.st == stListen) != (pass == 0) {
				continue
			}
			line := s.format(sl, v6)
			if !v6 {
				line = pad(line)
			}
			b.WriteString(line + "\n")
			sl++
		}
	}
	return b.String()
}

func pad(s string) string {
	if len(s) < lineWidth {
		s += strings.Repeat(" ", lineWidth-len(s))
	}
	return s
}

// format follows the printf formats of tcp_ipv4.c and tcp_ipv6.c.
func (s sock) format(sl int, v6 bool) string {
	head := fmt.Sprintf("%4d: %s %s %02X %08X:%08X %02X:%08X %08X %5d %8d",
		sl, endpoint(s.local, v6), endpoint(s.remote, v6), s.st, s.tx, s.rx, s.timer, s.when, s.retr, s.uid, 0)
	switch s.kind {
	case twSock:
		return fmt.Sprintf("%s %d %d %016x", head, 0, 3, s.ptr)
	case reqSock:
		return fmt.Sprintf("%s %d %d %016x", head, 0, 0, s.ptr)
	}
	if s.st == stListen {
		// rto, ato, quick/pingpong, cwnd, fastopen max_qlen
		return fmt.Sprintf("%s %d %d %016x %d %d %d %d %d", head, s.inode, 1, s.ptr, 100, 0, 0, 10, 0)
	}
	return fmt.Sprintf("%s %d %d %016x %d %d %d %d %d", head, s.inode, 1, s.ptr, 20, 4, 30, 10, -1)
}

// endpoint prints ADDR:PORT as a little-endian host does: each 32-bit word
// of the address in network order, printed as a native integer.
func endpoint(ap netip.AddrPort, v6 bool) string {
	var b strings.Builder
	if v6 {
		a := ap.Addr().As16()
		for i := 0; i < 16; i += 4 {
			fmt.Fprintf(&b, "%08X", binary.LittleEndian.Uint32(a[i:]))
		}
	} else {
		a := ap.Addr().As4()
		fmt.Fprintf(&b, "%08X", binary.LittleEndian.Uint32(a[:]))
	}
	fmt.Fprintf(&b, ":%04X", ap.Port())
	return b.String()
}
