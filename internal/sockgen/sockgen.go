// Package sockgen creates real TCP sockets on loopback in chosen states, for
// tests and benchmarks of the socket census. It works on raw descriptors
// (golang.org/x/sys/unix) so that creating a hundred thousand sockets costs
// a few system calls each and no goroutines.
package sockgen

import (
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Plan says how many sockets to create in each state.
type Plan struct {
	// Established is the number of ESTABLISHED sockets; they come in
	// connected pairs, so an odd number is rounded up.
	Established int
	// TimeWait is the number of TIME_WAIT sockets; they hold no descriptor
	// and leave the kernel after 60 seconds.
	TimeWait int
	// CloseWait is the number of CLOSE_WAIT sockets; each has a FIN_WAIT2
	// peer (a full socket that called shutdown(SHUT_WR)).
	CloseWait int
	// FullQueue is the number of connections left in the accept queue of a
	// listener whose backlog they fill.
	FullQueue int
	// FinWait1 is the number of client sockets closed while their send
	// queue is full (the peer does not read): their FIN waits behind the
	// data, so they stay in FIN_WAIT1 and the peer ESTABLISHED.
	FinWait1 int
	// LastAck is the number of CLOSE_WAIT sockets closed the same way:
	// they stay in LAST_ACK and their peer in FIN_WAIT2.
	LastAck int
}

// Generator creates sockets towards its listeners. Connections are spread
// round-robin over the destination addresses and listener ports, so that no
// (source, destination, port) tuple runs short of ephemeral ports.
type Generator struct {
	dsts      []netip.Addr
	ports     []uint16
	listeners []int
	next      int
	// Held are the descriptors kept open; Close releases them.
	Held []int
}

// New opens one IPv4 listener on 0.0.0.0 per port (backlog 4096, clamped
// by net.core.somaxconn). Connections go to the destination addresses,
// which must be local (127.0.0.0/8).
func New(ports []uint16, dsts []netip.Addr) (*Generator, error) {
	if len(ports) == 0 || len(dsts) == 0 {
		return nil, errors.New("sockgen: need at least one port and one destination")
	}
	g := &Generator{dsts: dsts, ports: ports}
	for _, p := range ports {
		fd, err := Listen(netip.AddrPortFrom(netip.IPv4Unspecified(), p), 4096)
		if err != nil {
			g.Close()
			return nil, err
		}
		g.listeners = append(g.listeners, fd)
		g.Held = append(g.Held, fd)
	}
	return g, nil
}

// Listen opens a listening socket with SO_REUSEADDR.
func Listen(ap netip.AddrPort, backlog int) (int, error) {
	fd, err := socket(ap.Addr())
	if err != nil {
		return -1, err
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("sockgen: SO_REUSEADDR: %w", err)
	}
	if err := unix.Bind(fd, sockaddr(ap)); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("sockgen: bind %s: %w", ap, err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("sockgen: listen %s: %w", ap, err)
	}
	return fd, nil
}

// Make creates the sockets of p and keeps the descriptors that hold them.
func (g *Generator) Make(p Plan) error {
	for i := 0; i < p.Established; i += 2 {
		c, s, err := g.Pair()
		if err != nil {
			return err
		}
		g.Held = append(g.Held, c, s)
	}
	if err := g.closeWait(p.CloseWait); err != nil {
		return err
	}
	for range p.TimeWait {
		if err := g.TimeWait(); err != nil {
			return err
		}
	}
	if err := g.stalledClose(p.FinWait1, false); err != nil {
		return err
	}
	if err := g.stalledClose(p.LastAck, true); err != nil {
		return err
	}
	return g.fillQueue(p.FullQueue)
}

// closeWait makes n connections whose client half-closes: it goes to
// FIN_WAIT2, the server side to CLOSE_WAIT until it calls close(). The
// server may delay its ACK of the FIN, so closeWait waits until every
// client has left FIN_WAIT1.
func (g *Generator) closeWait(n int) error {
	clients := make([]int, 0, n)
	for range n {
		c, s, err := g.Pair()
		if err != nil {
			return err
		}
		g.Held = append(g.Held, c, s)
		clients = append(clients, c)
		if err := unix.Shutdown(c, unix.SHUT_WR); err != nil {
			return fmt.Errorf("sockgen: shutdown: %w", err)
		}
	}
	return settle(clients, finWait2)
}

// Pair connects a client to the next listener and accepts it; both
// descriptors are returned, ESTABLISHED.
func (g *Generator) Pair() (client, server int, err error) {
	i := g.next
	g.next++
	port := i % len(g.ports)
	dst := netip.AddrPortFrom(g.dsts[(i/len(g.ports))%len(g.dsts)], g.ports[port])
	client, err = Connect(dst)
	if err != nil {
		return -1, -1, err
	}
	server, _, err = unix.Accept4(g.listeners[port], unix.SOCK_CLOEXEC)
	if err != nil {
		unix.Close(client)
		return -1, -1, fmt.Errorf("sockgen: accept on port %d: %w", g.ports[port], err)
	}
	return client, server, nil
}

// TimeWait makes one connection and closes the client side first, which
// leaves the client socket in TIME_WAIT for 60 seconds.
func (g *Generator) TimeWait() error {
	c, s, err := g.Pair()
	if err != nil {
		return err
	}
	unix.Close(c)
	unix.Close(s)
	return nil
}

// Close releases every held descriptor.
func (g *Generator) Close() {
	for _, fd := range g.Held {
		unix.Close(fd)
	}
	g.Held = nil
}
