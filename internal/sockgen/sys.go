package sockgen

import (
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// Connect opens a blocking TCP connection to ap; on loopback the handshake
// completes within the call.
func Connect(ap netip.AddrPort) (int, error) {
	fd, err := socket(ap.Addr())
	if err != nil {
		return -1, err
	}
	for {
		err = unix.Connect(fd, sockaddr(ap))
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("sockgen: connect %s: %w", ap, err)
	}
	return fd, nil
}

// fillQueue opens a listener on 127.0.0.1 with an ephemeral port whose
// accept queue it fills with n connections that are never accepted. The
// kernel queues one connection more than the backlog (sk_acceptq_is_full
// tests ack_backlog > max_ack_backlog), so the backlog is n-1.
func (g *Generator) fillQueue(n int) error {
	if n <= 0 {
		return nil
	}
	lfd, err := Listen(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0), n-1)
	if err != nil {
		return err
	}
	g.Held = append(g.Held, lfd)
	sa, err := unix.Getsockname(lfd)
	if err != nil {
		return fmt.Errorf("sockgen: getsockname: %w", err)
	}
	port := sa.(*unix.SockaddrInet4).Port
	for range n {
		fd, err := Connect(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port)))
		if err != nil {
			return err
		}
		g.Held = append(g.Held, fd)
	}
	return nil
}

func socket(a netip.Addr) (int, error) {
	family := unix.AF_INET
	if a.Is6() {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return -1, fmt.Errorf("sockgen: socket: %w", err)
	}
	return fd, nil
}

func sockaddr(ap netip.AddrPort) unix.Sockaddr {
	if ap.Addr().Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// finWait2 is TCP_FIN_WAIT2 as tcp_info reports it.
const finWait2 = 5

// settle waits, up to 5 seconds, until every socket is in state.
func settle(fds []int, state uint8) error {
	deadline := time.Now().Add(5 * time.Second)
	for _, fd := range fds {
		for {
			info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
			if err != nil {
				return fmt.Errorf("sockgen: TCP_INFO: %w", err)
			}
			if info.State == state {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("sockgen: socket still in state %d, want %d after 5s", info.State, state)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}
