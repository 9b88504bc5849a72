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
	// Drops are the packets the socket dropped (SK_MEMINFO_DROPS), known
	// over netlink only; 0 otherwise.
	Drops uint32
	// IdleMs is tcp_info's tcpi_last_data_recv, milliseconds since data
	// last arrived (ss -ti lastrcv); HasInfo says whether tcp_info came
	// with the socket (over netlink, when a census asked for it).
	IdleMs  uint32
	HasInfo bool
	// Info is the socket's tcp_info when HasInfo is set.
	Info TCPInfo
}

// Listener is a listening socket and its accept queue.
type Listener struct {
	Addr        netip.Addr
	Port        uint16
	AcceptQueue uint32
	// Backlog is 0 when the source cannot tell (see Socket.Backlog).
	Backlog uint32
	Inode   uint64
	// Drops counts the packets the listener dropped since it was created
	// (a full accept queue among them), over netlink only.
	Drops uint32
}

// Troubled reports whether the listener's accept queue looks full (at its
// backlog, or not empty when the backlog is unknown) or it dropped packets.
func (l Listener) Troubled() bool {
	if l.Backlog == 0 {
		return l.AcceptQueue > 0 || l.Drops > 0
	}
	return l.AcceptQueue >= l.Backlog || l.Drops > 0
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
// number of listeners only: destinations are bounded (MaxFlows), inodes
// kept for attribution too (AttributionBatch). Make one with NewCensus; the exported
// fields are results that Add fills.
type Census struct {
	// States counts sockets by state code.
	States [maxState + 1]int
	// Unknown counts sockets with a state code outside the known range.
	Unknown int
	// Unaccepted counts the CLOSE_WAIT sockets without an inode: still in
	// a listener's accept queue (the peer closed before the application
	// accepted them), so no descriptor refers to them.
	Unaccepted int
	Listeners  []Listener
	// Ephemeral counts sockets per destination whose local port lies in
	// the ephemeral range and is not a listening port, its addresses
	// unmapped (an AF_INET6 socket toward an IPv4-mapped peer draws from
	// the IPv4 socket's ports, and counts with them). It holds at most
	// MaxFlows destinations: beyond, the Misra-Gries summary lowers every
	// count by one and forgets those that reach 0, so a count is low by at
	// most EphemeralError and every destination with more sockets than
	// that is kept.
	Ephemeral map[Flow]FlowUse
	// EphemeralError bounds how far each Ephemeral count is below the
	// truth: 0 while the destinations fit, at most N/(MaxFlows+1) for N
	// sockets counted.
	EphemeralError int

	portLow, portHigh uint16
	listening         [65536 / 64]uint64
	opts              []CensusOption
	// closeWait keeps the smallest CLOSE_WAIT inodes (AttributionBatch at
	// most), for attribution; nil with WithoutCloseWait.
	closeWait *inodeHeap
	// still marks the CLOSE_WAIT sockets among a given set, for
	// StillCloseWait.
	still *stillSet
	// cwInfo asks tcp_info for the CLOSE_WAIT sockets only, in a pass of
	// their own (closeWaitInfo).
	cwInfo bool
	// The optional aggregates, nil unless an option asked for them (their
	// memory is bounded: 256 KiB, K entries, one entry per full socket).
	ports   *[65536]uint32
	remotes *TopK
	inodes  *inodeHeap
	only    StateSet
	// flows maps the inodes of the sockets toward the destinations asked
	// for by WithFlowInodes to their destination.
	flows *flowInodes
	// idle holds the CLOSE_WAIT sockets with their tcp_info, with
	// WithSocketInfo.
	idle []SocketInfo
	info bool
	// each, when set by WithEach, sees every socket counted.
	each func(*Socket)
	// small is set by Small: the census's arrays grow as they fill.
	small bool
	// firstCloseWait, when set (withEarlyRun), is called at the first
	// CLOSE_WAIT socket with an inode, once.
	firstCloseWait func()
}

// NewCensus returns an empty census that counts ephemeral-port use for local
// ports in [low, high]; low > high disables that aggregate. It keeps the
// CLOSE_WAIT inodes unless told otherwise.
func NewCensus(low, high uint16, opts ...CensusOption) *Census {
	c := &Census{
		Ephemeral: make(map[Flow]FlowUse),
		closeWait: newInodeHeap(0),
		portLow:   low,
		portHigh:  high,
		opts:      opts,
	}
	for _, o := range opts {
		o(c)
	}
	if c.small {
		for _, h := range []*inodeHeap{c.closeWait, c.inodes, c.flowHeap()} {
			if h != nil {
				h.grow = true
			}
		}
	}
	return c
}

// Add counts one socket. Both files list listeners before other sockets, so
// a socket on a listening port (an accepted connection, never a connect()
// autobind: the kernel skips ports owned by bind()) is known as such here.
func (c *Census) Add(s *Socket) {
	if s.State == 0 || s.State > maxState {
		c.Unknown++
		return
	}
	if c.only != 0 && !c.only.Has(s.State) {
		if s.State == Listen { // not counted: its port marks accepted connections
			c.markListening(s.LocalPort)
		}
		return
	}
	c.States[s.State]++
	if c.each != nil {
		c.each(s)
	}
	switch s.State {
	case Listen:
		c.markListening(s.LocalPort)
		c.Listeners = append(c.Listeners, Listener{
			Addr: s.Local, Port: s.LocalPort, AcceptQueue: s.RxQueue,
			Backlog: s.Backlog, Inode: s.Inode, Drops: s.Drops,
		})
		if c.inodes != nil {
			c.inodes.add(s.Inode, Listen)
		}
		return
	case CloseWait:
		if c.closeWait != nil {
			c.closeWait.add(s.Inode, CloseWait)
		}
		if s.Inode == 0 {
			c.Unaccepted++
		}
		if c.firstCloseWait != nil && s.Inode != 0 {
			f := c.firstCloseWait
			c.firstCloseWait = nil
			f()
		}
		if c.still != nil {
			c.still.mark(s.Inode)
		}
		if (c.info || c.cwInfo) && s.HasInfo {
			c.addInfo(s)
		}
	}
	if c.ports != nil || c.remotes != nil || c.inodes != nil {
		c.addOptional(s)
	}
	if s.LocalPort >= c.portLow && s.LocalPort <= c.portHigh && !c.IsListening(s.LocalPort) {
		f := Flow{Local: s.Local, Remote: s.Remote, RemotePort: s.RemotePort}.unmapped()
		c.addEphemeral(f, s.State == TimeWait)
		if c.flows != nil && s.Inode != 0 {
			c.addFlowInode(f, s.Inode, s.State)
		}
	}
}

// MaxFlows bounds the destinations Census.Ephemeral holds.
const MaxFlows = 4096

// addEphemeral counts one socket toward f (Misra-Gries beyond MaxFlows:
// a new destination that finds the summary full lowers every count by one
// instead of taking a place).
func (c *Census) addEphemeral(f Flow, timeWait bool) {
	u, ok := c.Ephemeral[f]
	if !ok && len(c.Ephemeral) >= MaxFlows {
		c.EphemeralError++
		for fl, v := range c.Ephemeral {
			if v.Sockets--; v.Sockets == 0 {
				delete(c.Ephemeral, fl)
				continue
			}
			v.TimeWait = min(v.TimeWait, v.Sockets)
			c.Ephemeral[fl] = v
		}
		return
	}
	u.Sockets++
	if timeWait {
		u.TimeWait++
	}
	c.Ephemeral[f] = u
}

// markListening records that a listener holds the local port.
func (c *Census) markListening(port uint16) { c.listening[port/64] |= 1 << (port % 64) }

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
