package audit

import (
	"net/netip"
	"testing"
)

// TestEphemeralBounded counts sockets toward more destinations than
// MaxFlows: 3 heavy ones among 20,000 light ones. The map stays within
// MaxFlows, the heavy destinations are kept with counts at most
// EphemeralError below the truth, and the error stays within N/(MaxFlows+1).
func TestEphemeralBounded(t *testing.T) {
	c := NewCensus(32768, 60999)
	local := netip.MustParseAddr("10.0.0.1")
	heavy := []netip.Addr{netip.MustParseAddr("10.9.0.1"), netip.MustParseAddr("10.9.0.2"), netip.MustParseAddr("10.9.0.3")}
	n, port := 0, uint16(32768)
	add := func(remote netip.Addr, st State) {
		c.Add(&Socket{Local: local, Remote: remote, LocalPort: port, RemotePort: 443, State: st})
		port = 32768 + uint16(n%28000)
		n++
	}
	for i := range 20000 {
		add(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), Established)
		add(heavy[i%3], TimeWait)
	}
	if len(c.Ephemeral) > MaxFlows {
		t.Errorf("%d destinations kept, bound %d", len(c.Ephemeral), MaxFlows)
	}
	if bound := n / (MaxFlows + 1); c.EphemeralError == 0 || c.EphemeralError > bound {
		t.Errorf("error %d, want between 1 and N/(MaxFlows+1) = %d", c.EphemeralError, bound)
	}
	for _, h := range heavy {
		u, ok := c.Ephemeral[Flow{Local: local, Remote: h, RemotePort: 443}]
		want := 20000 / 3
		if !ok || u.Sockets > want+1 || u.Sockets < want-c.EphemeralError || u.TimeWait > u.Sockets {
			t.Errorf("heavy destination %v: %+v kept %v, want sockets in [%d, %d]", h, u, ok, want-c.EphemeralError, want+1)
		}
	}
}

// TestEphemeralMappedMerged: an AF_INET6 socket between IPv4-mapped
// addresses and an AF_INET socket between the same IPv4 addresses count
// toward one destination, kept unmapped: they draw from one port pool.
func TestEphemeralMappedMerged(t *testing.T) {
	c := NewCensus(32768, 60999)
	v4l, v4r := netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.1")
	c.Add(&Socket{Local: v4l, Remote: v4r, LocalPort: 40000, RemotePort: 8001, State: Established})
	c.Add(&Socket{Local: netip.AddrFrom16(v4l.As16()), Remote: netip.AddrFrom16(v4r.As16()), LocalPort: 40001, RemotePort: 8001, State: TimeWait})
	want := map[Flow]FlowUse{{Local: v4l, Remote: v4r, RemotePort: 8001}: {Sockets: 2, TimeWait: 1}}
	if len(c.Ephemeral) != 1 || c.Ephemeral[Flow{Local: v4l, Remote: v4r, RemotePort: 8001}] != want[Flow{Local: v4l, Remote: v4r, RemotePort: 8001}] {
		t.Errorf("destinations %v, want %v", c.Ephemeral, want)
	}
}

// TestOnlyStatesKeepsListeningPorts: a census of CLOSE_WAIT alone does
// not count the listener but still knows its port, so the connections it
// accepted rank as inbound (the client's address, no port) and are not
// taken for connections the host opened.
func TestOnlyStatesKeepsListeningPorts(t *testing.T) {
	c := NewCensus(1024, 65535, OnlyStates(StatesOf(CloseWait)), WithRemotes(10))
	if !c.dumped().Has(Listen) {
		t.Fatalf("dumped %v: the listeners are not asked for", c.dumped())
	}
	local, client := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.4")
	c.Add(&Socket{Local: local, LocalPort: 8003, State: Listen})
	for port := range uint16(3) {
		c.Add(&Socket{Local: local, LocalPort: 8003, Remote: client, RemotePort: 33000 + port, State: CloseWait})
	}
	if c.States[Listen] != 0 || len(c.Listeners) != 0 || c.States[CloseWait] != 3 {
		t.Errorf("states %v, listeners %v: want 3 CLOSE_WAIT and no listener counted", c.States, c.Listeners)
	}
	top := c.Remotes().Top(10)
	if len(top) != 1 || top[0].Endpoint != netip.AddrPortFrom(client, 0) || top[0].Count != 3 {
		t.Errorf("remotes %+v, want one inbound client %v with 3", top, client)
	}
	if len(c.Ephemeral) != 0 {
		t.Errorf("ephemeral destinations %v: accepted connections counted as the host's own", c.Ephemeral)
	}
}
