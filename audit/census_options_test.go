package audit_test

import (
	"net/netip"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// censusSockets are a listener on 8080, a connection accepted on it, an
// outgoing connection in CLOSE_WAIT and one in TIME_WAIT.
func censusSockets() []audit.Socket {
	lo, peer := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("10.0.0.2")
	return []audit.Socket{
		{Local: lo, LocalPort: 8080, State: audit.Listen, Inode: 10},
		{Local: lo, LocalPort: 8080, Remote: peer, RemotePort: 50000, State: audit.Established, Inode: 11},
		{Local: lo, LocalPort: 40000, Remote: peer, RemotePort: 443, State: audit.CloseWait, Inode: 12},
		{Local: lo, LocalPort: 40001, Remote: peer, RemotePort: 443, State: audit.TimeWait},
	}
}

func fill(c *audit.Census) *audit.Census {
	for _, s := range censusSockets() {
		c.Add(&s)
	}
	return c
}

// TestNewCensusDefaults checks that a census without options keeps the
// CLOSE_WAIT inodes and no optional aggregate.
func TestNewCensusDefaults(t *testing.T) {
	c := fill(audit.NewCensus(32768, 60999))
	if c.Ports() != nil || c.Remotes() != nil || c.Inodes() != nil {
		t.Errorf("census without options has optional aggregates: ports %v, remotes %v, inodes %v", c.Ports() != nil, c.Remotes(), c.Inodes())
	}
	if _, ok := c.CloseWaitInodes()[12]; !ok || len(c.CloseWaitInodes()) != 1 {
		t.Errorf("CLOSE_WAIT inodes %v, want {12}", c.CloseWaitInodes())
	}
	if c.Total() != 4 || c.Filter() != audit.AllStates {
		t.Errorf("total %d, filter %b; want 4 and every state", c.Total(), c.Filter())
	}
	if lo, hi := c.PortRange(); lo != 32768 || hi != 60999 {
		t.Errorf("port range %d-%d", lo, hi)
	}
}

// TestNewCensusOptions checks that each option takes effect.
func TestNewCensusOptions(t *testing.T) {
	c := fill(audit.NewCensus(32768, 60999, audit.WithPortCounts(), audit.WithRemotes(10), audit.WithInodes()))
	if p := c.Ports(); len(p) != 65536 || p[8080] != 1 || p[40000] != 1 || p[40001] != 1 {
		t.Errorf("WithPortCounts: ports 8080, 40000, 40001 = %v", []uint32{p[8080], p[40000], p[40001]})
	}
	if top := c.Remotes().Top(10); len(top) != 2 {
		t.Errorf("WithRemotes: %+v, want the inbound client and 10.0.0.2:443", top)
	}
	want := map[uint64]audit.State{10: audit.Listen, 11: audit.Established, 12: audit.CloseWait}
	if got := c.Inodes(); len(got) != len(want) || got[10] != audit.Listen || got[12] != audit.CloseWait {
		t.Errorf("WithInodes: %v, want %v", got, want)
	}

	only := fill(audit.NewCensus(32768, 60999, audit.OnlyStates(audit.StatesOf(audit.CloseWait))))
	if only.Total() != 1 || only.Count(audit.CloseWait) != 1 || only.Filter() != audit.StatesOf(audit.CloseWait) {
		t.Errorf("OnlyStates(CLOSE_WAIT): total %d, by state %v, filter %b", only.Total(), only.ByState(), only.Filter())
	}

	none := fill(audit.NewCensus(32768, 60999, audit.WithoutCloseWait()))
	if none.CloseWaitInodes() != nil || none.Count(audit.CloseWait) != 1 {
		t.Errorf("WithoutCloseWait: inodes %v, %d counted; want nil and 1", none.CloseWaitInodes(), none.Count(audit.CloseWait))
	}
}
