package audit

import "net/netip"

// CensusOption adds an aggregate to a census or narrows what it counts.
type CensusOption func(*Census)

// WithPortCounts counts non-listening sockets by local port (see Ports).
func WithPortCounts() CensusOption {
	return func(c *Census) { c.ports = new([65536]uint32) }
}

// WithRemotes keeps the k heaviest remote endpoints (see Remotes and
// Endpoint), in memory bounded by k.
func WithRemotes(k int) CensusOption {
	return func(c *Census) { c.remotes = NewTopK(k) }
}

// WithInodes keeps the inode of every socket with one (listeners
// included) with its state, for attribution of all states to processes
// (see Inodes): the smallest AttributionBatch of them, the others are left
// to further batches (see MoreInodes).
func WithInodes() CensusOption {
	return func(c *Census) { c.inodes = newInodeHeap(0) }
}

// withInodesAbove keeps the inodes above floor, for the next batch.
func withInodesAbove(floor uint32) CensusOption {
	return func(c *Census) { c.inodes = newInodeHeap(floor) }
}

// withCloseWaitAbove keeps the CLOSE_WAIT inodes above floor, for the
// next batch.
func withCloseWaitAbove(floor uint32) CensusOption {
	return func(c *Census) { c.closeWait = newInodeHeap(floor) }
}

// maxCompact bounds the CLOSE_WAIT inodes a compact set keeps: one join
// takes them, where the 8-byte entries of a batch are AttributionBatch at
// most (2 to 4 bytes an inode where they are spread, the arrays growing by
// doubling, 8 KiB for every 65,536 inodes where they are dense: 4 MiB at
// most, a bit an inode for a busy host's CLOSE_WAIT sockets).
const maxCompact = 1 << 20

// withEarlyRun starts sc's early run of the iterator at the census's
// first CLOSE_WAIT socket (see earlyRun); nothing starts when sc will not
// run the iterator.
//
// Where the run can start, the census keeps its CLOSE_WAIT inodes in a
// compactSet, which processesOf joins with the run's records.
//
// Where sc has no iterator (the descriptor scan), the set is kept all the
// same, joined by processesCompactFD.
func withEarlyRun(sc *scanner) CensusOption {
	return func(c *Census) {
		switch {
		case sc.canStartEarly():
			c.firstCloseWait = sc.startEarly
		case sc.bpf != nil:
			return
		}
		c.closeWait.makeCompact()
	}
}

// OnlyStates limits the census to the states in s; a netlink census asks
// the kernel for those states only. 0 means every state.
func OnlyStates(s StateSet) CensusOption {
	return func(c *Census) { c.only = s }
}

// Small makes a census whose arrays (the inodes and tcp_info it keeps)
// grow as they fill, for one namespace of many counted in turn: a census
// of the host takes each array's bound at once, address space whose pages
// become resident only as they are written, but under a one-shot
// command's soft memory limit the bound of every namespace's census
// would count against the heap's goal and make the collector run.
func Small() CensusOption {
	return func(c *Census) { c.small = true }
}

// flowHeap returns the heap of WithFlowInodes, nil without it.
func (c *Census) flowHeap() *inodeHeap {
	if c.flows == nil {
		return nil
	}
	return c.flows.heap
}

// WithoutCloseWait keeps no CLOSE_WAIT inodes, for a census that will
// neither attribute nor sample them (CloseWaitInodes is then nil).
func WithoutCloseWait() CensusOption {
	return func(c *Census) { c.closeWait = nil }
}

// PortRange returns the ephemeral range the census counts.
func (c *Census) PortRange() (low, high uint16) { return c.portLow, c.portHigh }

// Filter returns the states the census counts (AllStates unless
// OnlyStates narrowed it).
func (c *Census) Filter() StateSet {
	if c.only == 0 {
		return AllStates
	}
	return c.only
}

// dumped returns the states a census asks the kernel for: those it
// counts and, when that is not every state, the listeners too, whose
// ports tell the connections a listener accepted from those the host
// opened (counted by no state, see Add).
func (c *Census) dumped() StateSet {
	return c.Filter() | StatesOf(Listen)
}

// CloseWaitInodes returns the inodes of the CLOSE_WAIT sockets kept (all
// of them up to AttributionBatch, the smallest beyond; see MoreCloseWait)
// in a new map; nil for a census made WithoutCloseWait.
func (c *Census) CloseWaitInodes() map[uint64]struct{} {
	if c.closeWait == nil {
		return nil
	}
	m := make(map[uint64]struct{}, c.closeWait.len())
	for ino := range c.closeWait.asMap() {
		m[ino] = struct{}{}
	}
	return m
}

// CloseWaitSet returns the CLOSE_WAIT inodes kept as a sorted set (empty
// for a census made WithoutCloseWait).
func (c *Census) CloseWaitSet() *InodeSet { return c.closeWait.set() }

// MoreCloseWait reports whether CLOSE_WAIT inodes were left out of
// CloseWaitSet for the AttributionBatch bound.
func (c *Census) MoreCloseWait() bool { return c.closeWait.more() }

// InodeSet returns the inodes kept by WithInodes as a sorted set.
func (c *Census) InodeSet() *InodeSet { return c.inodes.set() }

// MoreInodes reports whether WithInodes left inodes out for the bound.
func (c *Census) MoreInodes() bool { return c.inodes.more() }

// Ports returns the count of non-listening sockets by local port (index),
// or nil without WithPortCounts.
func (c *Census) Ports() []uint32 {
	if c.ports == nil {
		return nil
	}
	return c.ports[:]
}

// Remotes returns the heaviest remote endpoints, or nil without
// WithRemotes.
func (c *Census) Remotes() *TopK { return c.remotes }

// Inodes maps the socket inodes kept by WithInodes (see InodeSet) to
// their states in a new map, or is nil without WithInodes.
func (c *Census) Inodes() map[uint64]State {
	if c.inodes == nil {
		return nil
	}
	return c.inodes.asMap()
}

// addOptional fills the optional aggregates for one non-listening socket.
func (c *Census) addOptional(s *Socket) {
	if c.ports != nil {
		c.ports[s.LocalPort]++
	}
	if c.remotes != nil {
		c.remotes.Add(Endpoint(s, c.IsListening(s.LocalPort)))
	}
	if c.inodes != nil {
		c.inodes.add(s.Inode, s.State)
	}
}

// Endpoint is the key by which remote endpoints are ranked: the remote
// address and port of an outgoing connection, and only the address of an
// accepted one (inbound), whose remote port is the client's ephemeral port.
func Endpoint(s *Socket, inbound bool) netip.AddrPort {
	if inbound {
		return netip.AddrPortFrom(s.Remote.Unmap(), 0)
	}
	return netip.AddrPortFrom(s.Remote.Unmap(), s.RemotePort)
}

// reset empties c and keeps its configuration (port range, state filter and
// optional aggregates), so that a census that fell back from netlink after
// part of a dump starts over instead of counting twice.
func (c *Census) reset() {
	*c = *NewCensus(c.portLow, c.portHigh, c.opts...)
}
