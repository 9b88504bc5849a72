package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync"
)

// StateSet is a set of TCP states as the kernel's inet_diag idiag_states
// bitmask: bit n stands for state n.
type StateSet uint32

// AllStates holds every state /proc/net/tcp lists (ESTABLISHED through
// CLOSING). The kernel adds NEW_SYN_RECV itself when SYN_RECV is asked for,
// so request socks are dumped as SYN_RECV, as /proc prints them.
const AllStates StateSet = 1<<(Closing+1) - 1<<Established

// StatesOf returns the set holding the given states.
func StatesOf(states ...State) StateSet {
	var s StateSet
	for _, st := range states {
		s |= 1 << st
	}
	return s
}

// Has reports whether the set holds state st.
func (s StateSet) Has(st State) bool { return st <= 31 && s&(1<<st) != 0 }

// Sizes of the kernel structures (include/uapi/linux/netlink.h and
// inet_diag.h).
const (
	nlmsgHdrLen      = 16 // struct nlmsghdr
	diagReqLen       = 56 // struct inet_diag_req_v2
	diagReqCompatLen = 60 // struct inet_diag_req
	diagMsgLen       = 72 // struct inet_diag_msg
	recvBufLen       = 64 * 1024
)

// ErrNetlink marks a failure of the netlink source itself (the kernel
// refused the socket or the dump), as opposed to a malformed message.
var ErrNetlink = errors.New("netlink sock_diag")

// Values of the Linux netlink and sock_diag ABI (include/uapi/linux
// netlink.h, sock_diag.h and socket.h): the messages carry them whatever
// system parses them.
const (
	nlmsgError       = 0x2
	nlmsgDone        = 0x3
	sockDiagByFamily = 20
	tcpDiagGetSock   = 18 // TCPDIAG_GETSOCK (inet_diag.h): the older request, struct inet_diag_req
	afUnspec         = 0
	afInet           = 2
	afInet6          = 10
)

// Census adds the TCP sockets (IPv4 and IPv6) in the given states to c.
// Listeners of both families are dumped before any other socket, as
// Census.Add requires; each state filter is applied by the kernel. A
// census that wants tcp_info of its CLOSE_WAIT sockets only has them come
// in a pass of their own.
func (n *Netlink) Census(c *Census, states StateSet) error {
	return n.census(c, states, []uint8{afInet, afInet6})
}

// CensusOneWalk is Census with one dump per pass for both families (the
// older request, TCPDIAG_GETSOCK, whose dumps take AF_UNSPEC) instead of
// one per family. Each dump walks every socket of the host, of every
// namespace (docs/kernel-facts.md §25): in a namespace of few sockets on a
// host of many, one walk instead of two halves the cost.
func (n *Netlink) CensusOneWalk(c *Census, states StateSet) error {
	return n.census(c, states, []uint8{afUnspec})
}

// census dumps the listeners, then the other states, for each family.
// With a twin socket (see NetlinkCensus) the CLOSE_WAIT pass runs on it
// while the other states are dumped on n: two walks of the table at once.
func (n *Netlink) census(c *Census, states StateSet, families []uint8) error {
	listen := states & StatesOf(Listen)
	rest := states &^ listen
	var cw StateSet
	if c.cwInfo && !c.info && rest.Has(CloseWait) {
		// tcp_info is asked for the CLOSE_WAIT sockets only: a pass of
		// their own.
		cw, rest = StatesOf(CloseWait), rest&^StatesOf(CloseWait)
	}
	if err := n.dumps(c, listen, families); err != nil {
		return err
	}
	if n.twin != nil && cw != 0 && rest != 0 {
		return n.together(c, cw, rest, families)
	}
	if err := n.dumps(c, cw, families); err != nil {
		return err
	}
	return n.dumps(c, rest, families)
}

// dumps dumps the sockets in states for each family, none for no state.
func (n *Netlink) dumps(c *Census, states StateSet, families []uint8) error {
	if states == 0 {
		return nil
	}
	for _, family := range families {
		if err := n.dump(family, states, c); err != nil {
			return err
		}
	}
	return nil
}

// together dumps the sockets in mine on n's twin and those in others on
// n at the same time, adding them to c one datagram at a time under a
// lock: the kernel's walks and fills run in parallel, the decoding in
// turn.
func (n *Netlink) together(c *Census, mine, others StateSet, families []uint8) error {
	var mu sync.Mutex
	n.mu, n.twin.mu = &mu, &mu
	defer func() { n.mu, n.twin.mu = nil, nil }()
	errc := make(chan error, 1)
	go func() { errc <- n.twin.dumps(c, mine, families) }()
	err := n.dumps(c, others, families)
	return errors.Join(err, <-errc)
}

// messages walks the netlink messages of one datagram. It returns true at
// the end of the dump.
func (n *Netlink) messages(b []byte, c *Census) (bool, error) {
	if n.mu != nil {
		n.mu.Lock()
		defer n.mu.Unlock()
	}
	ne := binary.NativeEndian
	for len(b) >= nlmsgHdrLen {
		l := int(ne.Uint32(b[0:]))
		if l < nlmsgHdrLen || l > len(b) {
			return false, fmt.Errorf("%w: netlink message length %d in a %d-byte datagram", ErrMalformed, l, len(b))
		}
		typ, seq := ne.Uint16(b[4:]), ne.Uint32(b[8:])
		body := b[nlmsgHdrLen:l]
		b = b[min(nlmsgAlign(l), len(b)):]
		if seq != n.seq {
			continue // a reply to an earlier, abandoned request
		}
		switch typ {
		case nlmsgDone:
			return true, nil
		case nlmsgError:
			return true, netlinkError(body)
		case sockDiagByFamily, tcpDiagGetSock:
			if err := DecodeDiag(body, &n.s); err != nil {
				return false, err
			}
			c.Add(&n.s)
		}
	}
	return false, nil
}

func nlmsgAlign(l int) int { return (l + 3) &^ 3 }

// netlinkError decodes the errno of an NLMSG_ERROR message.
func netlinkError(body []byte) error {
	if len(body) < 4 {
		return fmt.Errorf("%w: short error message", ErrNetlink)
	}
	errno := -int32(binary.NativeEndian.Uint32(body))
	if errno == 0 {
		return nil
	}
	return fmt.Errorf("%w: dump refused: %w", ErrNetlink, errnoError(errno))
}

// DecodeDiag fills s from the body of one inet_diag_msg. Addresses and ports
// are in network byte order, the other fields in host order. On a LISTEN
// socket idiag_rqueue is the accept-queue length and idiag_wqueue the
// backlog (sk_max_ack_backlog).
func DecodeDiag(b []byte, s *Socket) error {
	if len(b) < diagMsgLen {
		return fmt.Errorf("%w: inet_diag_msg of %d bytes, want %d", ErrMalformed, len(b), diagMsgLen)
	}
	family := b[0]
	s.State = State(b[1])
	s.LocalPort = binary.BigEndian.Uint16(b[4:])
	s.RemotePort = binary.BigEndian.Uint16(b[6:])
	switch family {
	case afInet:
		s.Local = addr4(b[8:12])
		s.Remote = addr4(b[24:28])
	case afInet6:
		s.Local = addr16(b[8:24])
		s.Remote = addr16(b[24:40])
	default:
		return fmt.Errorf("%w: inet_diag_msg of address family %d", ErrMalformed, family)
	}
	ne := binary.NativeEndian
	s.RxQueue = ne.Uint32(b[56:])
	s.Backlog = 0
	if s.State == Listen {
		s.Backlog = ne.Uint32(b[60:])
	}
	s.Inode = uint64(ne.Uint32(b[68:]))
	s.Drops, s.IdleMs, s.HasInfo, s.Info = 0, 0, false, TCPInfo{}
	decodeAttrs(b[diagMsgLen:], s)
	return nil
}

// Extensions of an inet_diag dump (include/uapi/linux/inet_diag.h): the
// request asks for extension e with bit e-1 of idiag_ext; the reply carries
// it as an attribute of type e.
const (
	diagInfo       = 2  // INET_DIAG_INFO: struct tcp_info
	diagSkMemInfo  = 7  // INET_DIAG_SKMEMINFO: u32 sk_meminfo[SK_MEMINFO_VARS]
	skMemInfoDrops = 8  // SK_MEMINFO_DROPS (include/uapi/linux/sock_diag.h)
	tcpiLastRecv   = 52 // offset of tcpi_last_data_recv in struct tcp_info
)

// diagExtensions returns the idiag_ext bits a dump of states into c asks
// for: the socket memory info of listeners, whose drop count is what
// `ss -ltm` shows as d, and tcp_info when c keeps it (WithSocketInfo).
func diagExtensions(states StateSet, c *Census) uint8 {
	var ext uint8
	if states.Has(Listen) {
		ext |= 1 << (diagSkMemInfo - 1)
	}
	if c.info || c.cwInfo && states == StatesOf(CloseWait) {
		ext |= 1 << (diagInfo - 1)
	}
	return ext
}

// decodeAttrs reads the attributes after an inet_diag_msg into s; a
// truncated attribute ends the walk (the kernel never sends one).
func decodeAttrs(b []byte, s *Socket) {
	ne := binary.NativeEndian
	for len(b) >= 4 {
		l, typ := int(ne.Uint16(b[0:])), ne.Uint16(b[2:])
		if l < 4 || l > len(b) {
			return
		}
		switch v := b[4:l]; {
		case typ == diagSkMemInfo && len(v) >= 4*(skMemInfoDrops+1):
			s.Drops = ne.Uint32(v[4*skMemInfoDrops:])
		case typ == diagInfo && len(v) >= tcpiLastRecv+4:
			s.IdleMs, s.HasInfo = ne.Uint32(v[tcpiLastRecv:]), true
			s.Info = DecodeTCPInfo(v)
		}
		b = b[min(nlmsgAlign(l), len(b)):]
	}
}

func addr4(b []byte) netip.Addr  { return netip.AddrFrom4([4]byte(b)) }
func addr16(b []byte) netip.Addr { return netip.AddrFrom16([16]byte(b)) }
