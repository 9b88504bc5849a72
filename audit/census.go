package audit

import (
	"net/netip"
	"sort"
)

// Socket is one socket as a census source reports it. Sources fill one
// reused Socket per line or message and hand it to Census.Add, so the census
// never holds a value per socket.
type Socket struct {
	Local, Remote         netip.Addr
	LocalPort, RemotePort uint16
	State                 State
	// RxQueue is the accept-queue length on LISTEN sockets and the unread
	// byte count on others.
	RxQueue uint32
	// Backlog is the listen backlog (sk_max_ack_backlog) of a LISTEN socket
	// when the source knows it, 0 otherwise (/proc/net/tcp does not print it).
	Backlog uint32
	Inode   uint64
}

// Listener is a listening socket and its accept queue.
type Listener struct {
	Addr        netip.Addr
	Port        uint16
	AcceptQueue uint32
	// Backlog is 0 when the source cannot tell (see Socket.Backlog).
	Backlog uint32
	Inode   uint64
}

// Flow identifies the sockets that compete for ephemeral ports: the kernel
// needs a distinct local port only per (local IP, remote IP, remote port).
type Flow struct {
	Local, Remote netip.Addr
	RemotePort    uint16
}

// FlowUse counts the sockets of one Flow whose local port lies in the
// ephemeral range.
type FlowUse struct {
	Sockets  int
	TimeWait int
}

// Census holds the aggregates of a socket census. Its size grows with the
// number of listeners, destinations and CLOSE_WAIT sockets, never with the
// number of sockets in other states.
type Census struct {
	// States counts sockets by state code.
	States [maxState + 1]int
	// Unknown counts sockets with a state code outside the known range.
	Unknown   int
	Listeners []Listener
	// Ephemeral counts sockets per destination whose local port lies in
	// [PortLow, PortHigh] and is not a listening port.
	Ephemeral map[Flow]FlowUse
	// CloseWait is the set of inodes of CLOSE_WAIT sockets, for attribution;
	// a caller that will not attribute them may set it to nil.
	CloseWait map[uint64]struct{}

	PortLow, PortHigh uint16
	listening         [65536 / 64]uint64

	// Optional aggregates, filled only when set before the census (their
	// memory is bounded: 256 KiB, K entries, one entry per full socket).
	// Ports counts non-listening sockets by local port.
	Ports *[65536]uint32
	// Remotes keeps the heaviest remote endpoints (see Endpoint).
	Remotes *TopK
	// Inodes maps the inode of every socket with one (listeners included)
	// to its state, for attribution of all states to processes.
	Inodes map[uint64]State
	// Only, when not 0, limits the census to these states (the /proc
	// equivalent of a netlink state filter).
	Only StateSet
}

// NewCensus returns an empty census that counts ephemeral-port use for local
// ports in [low, high]; low > high disables that aggregate.
func NewCensus(low, high uint16) *Census {
	return &Census{
		Ephemeral: make(map[Flow]FlowUse),
		CloseWait: make(map[uint64]struct{}),
		PortLow:   low,
		PortHigh:  high,
	}
}

// Add counts one socket. Both files list listeners before other sockets, so
// a socket on a listening port (an accepted connection, never a connect()
// autobind: the kernel skips ports owned by bind()) is known as such here.
func (c *Census) Add(s *Socket) {
	if s.State == 0 || s.State > maxState {
		c.Unknown++
		return
	}
	if c.Only != 0 && !c.Only.Has(s.State) {
		return
	}
	c.States[s.State]++
	switch s.State {
	case Listen:
		c.listening[s.LocalPort/64] |= 1 << (s.LocalPort % 64)
		c.Listeners = append(c.Listeners, Listener{
			Addr: s.Local, Port: s.LocalPort, AcceptQueue: s.RxQueue,
			Backlog: s.Backlog, Inode: s.Inode,
		})
		if c.Inodes != nil && s.Inode != 0 {
			c.Inodes[s.Inode] = Listen
		}
		return
	case CloseWait:
		if s.Inode != 0 && c.CloseWait != nil {
			c.CloseWait[s.Inode] = struct{}{}
		}
	}
	if c.Ports != nil || c.Remotes != nil || c.Inodes != nil {
		c.addOptional(s)
	}
	if s.LocalPort >= c.PortLow && s.LocalPort <= c.PortHigh && !c.IsListening(s.LocalPort) {
		f := Flow{Local: s.Local, Remote: s.Remote, RemotePort: s.RemotePort}
		u := c.Ephemeral[f]
		u.Sockets++
		if s.State == TimeWait {
			u.TimeWait++
		}
		c.Ephemeral[f] = u
	}
}

// IsListening reports whether some listener holds the local port.
func (c *Census) IsListening(port uint16) bool {
	return c.listening[port/64]&(1<<(port%64)) != 0
}

// Total returns the number of sockets counted.
func (c *Census) Total() int {
	n := c.Unknown
	for _, v := range c.States {
		n += v
	}
	return n
}

// Count returns the number of sockets in state s.
func (c *Census) Count(s State) int {
	if s > maxState {
		return 0
	}
	return c.States[s]
}

// ByState returns the non-zero counts keyed by kernel state name.
func (c *Census) ByState() map[string]int {
	m := make(map[string]int)
	for s, n := range c.States {
		if n > 0 {
			m[State(s).String()] = n
		}
	}
	return m
}

// ListeningPorts returns the distinct listening ports in ascending order.
func (c *Census) ListeningPorts() []uint16 {
	var ports []uint16
	seen := make(map[uint16]bool)
	for _, l := range c.Listeners {
		if !seen[l.Port] {
			seen[l.Port] = true
			ports = append(ports, l.Port)
		}
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i] < ports[j] })
	return ports
}
