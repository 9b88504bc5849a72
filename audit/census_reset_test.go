package audit

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestCensusReset fills a census with every optional aggregate, resets it
// and checks that it equals a fresh census configured the same way: a
// netlink dump that failed half-way leaves nothing behind for the /proc
// fallback to count twice.
func TestCensusReset(t *testing.T) {
	configure := func() *Census {
		c := NewCensus(32768, 60999)
		c.Ports = new([65536]uint32)
		c.Remotes = NewTopK(7)
		c.Inodes = make(map[uint64]State)
		c.Only = StatesOf(CloseWait, Listen, Established)
		return c
	}
	c := configure()
	lo, peer := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	for i, st := range []State{Listen, Established, CloseWait} {
		c.Add(&Socket{Local: lo, Remote: peer, LocalPort: uint16(40000 + i), RemotePort: 80, State: st, Inode: uint64(i + 1)})
	}
	if c.Total() != 3 || len(c.Inodes) != 3 || len(c.CloseWait) != 1 {
		t.Fatalf("census before reset: total %d, inodes %d, CLOSE_WAIT %d", c.Total(), len(c.Inodes), len(c.CloseWait))
	}
	c.reset()
	want := configure()
	if d := cmp.Diff(want, c, cmp.AllowUnexported(Census{}, TopK{}), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("reset census differs from a fresh one (-fresh +reset):\n%s", d)
	}
	c = NewCensus(1, 0)
	c.CloseWait = nil
	c.reset()
	if c.CloseWait != nil || c.Ports != nil || c.Remotes != nil || c.Inodes != nil {
		t.Errorf("reset added aggregates the census did not have: %+v", c)
	}
}
