package nsiter

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
)

// Record kinds and sizes (struct socket_record and struct holder_record
// of nsiter.bpf.c).
const (
	kindSocket = 1
	kindHolder = 2
	socketLen  = 80
	holderLen  = 16
)

// Address families of the records (AF_INET, AF_INET6).
const (
	afInet  = 2
	afInet6 = 10
)

// ErrMalformed marks records that are not what the program writes: a
// record cut short, an unknown kind, an address family other than IPv4 and
// IPv6.
var ErrMalformed = errors.New("malformed nsiter record")

// Socket is one TCP socket a process holds, as the pass saw it.
type Socket struct {
	// Netns is the inode of the socket's network namespace (its nsfs file).
	Netns uint32
	Inode uint32
	// TGID is the first process found holding it, as the initial PID
	// namespace numbers it.
	TGID uint32
	// Family is 4 or 6 (the socket's family: an IPv6 socket talking to an
	// IPv4-mapped address is 6).
	Family    uint8
	State     uint8
	LocalPort uint16
	// RemotePort is in host order.
	RemotePort uint16
	// RxQueue is the accept-queue length of a listener, the unread bytes
	// of any other socket (idiag_rqueue).
	RxQueue uint32
	// Backlog is the listen backlog (sk_max_ack_backlog).
	Backlog uint32
	// Drops counts the packets the socket dropped (sk_drops).
	Drops uint32
	// IdleJiffies is the time since data last arrived, in jiffies; 0 for a
	// listener.
	IdleJiffies uint32
	// Requests counts a listener's request sockets (SYN_RECV), 0 for any
	// other socket.
	Requests uint32
	local    [16]byte
	remote   [16]byte
}

// Local returns the local address.
func (s *Socket) Local() netip.Addr { return s.addr(&s.local) }

// Remote returns the remote address.
func (s *Socket) Remote() netip.Addr { return s.addr(&s.remote) }

func (s *Socket) addr(b *[16]byte) netip.Addr {
	if s.Family == 4 {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16(*b)
}

// Holder is one more process holding a socket reported before (another
// descriptor of it, a forked child).
type Holder struct {
	Netns, Inode, TGID uint32
}

// Decode reads the records of a pass from r, calling sock for each socket
// (the Socket is reused: copy it) and holder for each further holder. A
// record cut short, of an unknown kind or of an address family other than
// IPv4 and IPv6 is an error wrapping ErrMalformed that names its position.
func Decode(r io.Reader, sock func(*Socket), holder func(Holder)) error {
	br := bufio.NewReaderSize(r, 64*1024)
	var b [socketLen]byte
	var s Socket
	ne := binary.NativeEndian
	for n := 0; ; n++ {
		if _, err := io.ReadFull(br, b[:4]); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%w: record %d: %w", ErrMalformed, n, err)
		}
		size := map[uint32]int{kindSocket: socketLen, kindHolder: holderLen}[ne.Uint32(b[:])]
		if size == 0 {
			return fmt.Errorf("%w: record %d: kind %d", ErrMalformed, n, ne.Uint32(b[:]))
		}
		if k, err := io.ReadFull(br, b[4:size]); err != nil {
			return fmt.Errorf("%w: record %d: %d of %d bytes", ErrMalformed, n, 4+k, size)
		}
		if size == holderLen {
			holder(Holder{Netns: ne.Uint32(b[4:]), Inode: ne.Uint32(b[8:]), TGID: ne.Uint32(b[12:])})
			continue
		}
		if err := decodeSocket(&b, &s); err != nil {
			return fmt.Errorf("%w: record %d: %w", ErrMalformed, n, err)
		}
		sock(&s)
	}
}

// decodeSocket fills s from one struct socket_record.
func decodeSocket(b *[socketLen]byte, s *Socket) error {
	ne := binary.NativeEndian
	switch b[16] {
	case afInet:
		s.Family = 4
	case afInet6:
		s.Family = 6
	default:
		return fmt.Errorf("address family %d", b[16])
	}
	s.Netns, s.Inode, s.TGID = ne.Uint32(b[4:]), ne.Uint32(b[8:]), ne.Uint32(b[12:])
	s.State = b[17]
	s.LocalPort, s.RemotePort = ne.Uint16(b[18:]), binary.BigEndian.Uint16(b[20:])
	s.RxQueue, s.Backlog, s.Drops = ne.Uint32(b[24:]), ne.Uint32(b[28:]), ne.Uint32(b[32:])
	s.IdleJiffies, s.Requests = ne.Uint32(b[36:]), ne.Uint32(b[40:])
	s.local, s.remote = [16]byte(b[48:64]), [16]byte(b[64:80])
	return nil
}
