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
		return NewCensus(32768, 60999, WithPortCounts(), WithRemotes(7), WithInodes(),
			OnlyStates(StatesOf(CloseWait, Listen, Established)))
	}
	c := configure()
	lo, peer := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	for i, st := range []State{Listen, Established, CloseWait} {
		c.Add(&Socket{Local: lo, Remote: peer, LocalPort: uint16(40000 + i), RemotePort: 80, State: st, Inode: uint64(i + 1)})
	}
	if c.Total() != 3 || len(c.Inodes()) != 3 || len(c.CloseWaitInodes()) != 1 {
		t.Fatalf("census before reset: total %d, inodes %d, CLOSE_WAIT %d", c.Total(), len(c.Inodes()), len(c.CloseWaitInodes()))
	}
	c.reset()
	want := configure()
	opts := []cmp.Option{cmp.AllowUnexported(Census{}, TopK{}, inodeHeap{}), cmpopts.IgnoreFields(Census{}, "opts"), cmpopts.EquateEmpty()}
	if d := cmp.Diff(want, c, opts...); d != "" {
		t.Errorf("reset census differs from a fresh one (-fresh +reset):\n%s", d)
	}
	if len(c.opts) != len(want.opts) {
		t.Errorf("reset census has %d options, want %d", len(c.opts), len(want.opts))
	}
	c = NewCensus(1, 0, WithoutCloseWait())
	c.reset()
	if c.CloseWaitInodes() != nil || c.Ports() != nil || c.Remotes() != nil || c.Inodes() != nil {
		t.Errorf("reset added aggregates the census did not have: %+v", c)
	}
}
