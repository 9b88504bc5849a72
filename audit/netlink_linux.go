//go:build linux && !tcpaudit_portable

package audit

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Netlink dumps TCP sockets over NETLINK_SOCK_DIAG (inet_diag). It sees the
// sockets of the calling process's network namespace, as /proc/net/tcp
// does. One receive buffer and one Socket are reused for every message, so a
// dump allocates nothing per socket. A Netlink is not safe for concurrent
// use.
type Netlink struct {
	fd  int
	seq uint32
	buf []byte
	req [nlmsgHdrLen + diagReqCompatLen]byte
	s   Socket
	// twin, when set, is a second socket of the same namespace for a
	// pass dumped at the same time (see census); mu serializes the
	// census's additions while both run.
	twin *Netlink
	mu   *sync.Mutex
}

// OpenNetlink opens a NETLINK_SOCK_DIAG socket.
func OpenNetlink() (*Netlink, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("%w: socket: %w", ErrNetlink, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%w: bind: %w", ErrNetlink, err)
	}
	return &Netlink{fd: fd, buf: make([]byte, recvBufLen)}, nil
}

// Close closes the socket.
func (n *Netlink) Close() error { return unix.Close(n.fd) }

// dump sends one dump request and aggregates the replies into c: an
// inet_diag_req_v2 for one family, or for afUnspec the older
// inet_diag_req, which dumps both families in one walk. A census of the
// sockets toward some flows (WithFlowInodes) asks the kernel to send only
// those.
func (n *Netlink) dump(family uint8, states StateSet, c *Census) error {
	n.seq++
	r := n.request(family, states, c)
	if err := unix.Sendto(n.fd, r, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("%w: send dump request: %w", ErrNetlink, err)
	}
	for {
		m, err := n.recv()
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("%w: receive: %w", ErrNetlink, err)
		}
		done, err := n.messages(n.buf[:m], c)
		if done || err != nil {
			return err
		}
	}
}

// recv reads one datagram of a dump. While a dump runs the kernel fills
// the next datagram inside the call that takes the last one
// (netlink_recvmsg calls netlink_dump), so the call never waits but works
// for as long as the walk of the table takes to fill it, often
// milliseconds (docs/kernel-facts.md §41). As an ordinary system call
// that long, the runtime would hand its processor to another thread and
// take one back afterwards, several times a dump; as a raw call with
// MSG_DONTWAIT it keeps its processor. Should nothing be queued (EAGAIN)
// it waits in an ordinary read.
func (n *Netlink) recv() (int, error) {
	r, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(n.fd), uintptr(unsafe.Pointer(&n.buf[0])),
		uintptr(len(n.buf)), unix.MSG_DONTWAIT, 0, 0)
	switch errno {
	case 0:
		return int(r), nil
	case unix.EAGAIN:
		return unix.Read(n.fd, n.buf)
	}
	return 0, errno
}

// request builds the dump request of dump in n.req.
func (n *Netlink) request(family uint8, states StateSet, c *Census) []byte {
	r := n.req[:nlmsgHdrLen+diagReqLen]
	typ := uint16(unix.SOCK_DIAG_BY_FAMILY)
	if family == afUnspec {
		r, typ = n.req[:], tcpDiagGetSock
	}
	clear(r)
	ne := binary.NativeEndian
	ne.PutUint32(r[0:], uint32(len(r)))
	ne.PutUint16(r[4:], typ)
	ne.PutUint16(r[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(r[8:], n.seq)
	if family == afUnspec { // struct inet_diag_req: family, src_len, dst_len, ext, id, states, dbs
		r[19] = diagExtensions(states, c)
		ne.PutUint32(r[16+4+48:], uint32(states))
	} else { // struct inet_diag_req_v2: family, protocol, ext, pad, states, id
		r[16] = family
		r[17] = unix.IPPROTO_TCP
		r[18] = diagExtensions(states, c)
		ne.PutUint32(r[20:], uint32(states))
	}
	if c.flows != nil && !states.Has(Listen) { // listeners are needed whole (Census.Add)
		r = withBytecode(r, flowFilter(c.flows.flows))
		ne.PutUint32(r[0:], uint32(len(r)))
	}
	return r
}

// errnoError is the error of a kernel errno.
func errnoError(errno int32) error { return unix.Errno(errno) }
