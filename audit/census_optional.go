package audit

import "net/netip"

// addOptional fills the optional aggregates for one non-listening socket.
func (c *Census) addOptional(s *Socket) {
	if c.Ports != nil {
		c.Ports[s.LocalPort]++
	}
	if c.Remotes != nil {
		c.Remotes.Add(Endpoint(s, c.IsListening(s.LocalPort)))
	}
	if c.Inodes != nil && s.Inode != 0 {
		c.Inodes[s.Inode] = s.State
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
// which optional aggregates it has), so that a census that fell back from
// netlink after part of a dump starts over instead of counting twice.
func (c *Census) reset() {
	n := NewCensus(c.PortLow, c.PortHigh)
	n.Only = c.Only
	if c.CloseWait == nil {
		n.CloseWait = nil
	}
	if c.Ports != nil {
		n.Ports = new([65536]uint32)
	}
	if c.Remotes != nil {
		n.Remotes = NewTopK(c.Remotes.k)
	}
	if c.Inodes != nil {
		n.Inodes = make(map[uint64]State)
	}
	*c = *n
}
