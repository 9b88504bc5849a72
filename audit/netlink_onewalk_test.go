//go:build linux && !tcpaudit_portable

package audit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestNetlinkOneWalk takes the census of a fresh namespace holding IPv4
// and IPv6 sockets in every state twice: with one dump per family, and
// with the older request whose one dump takes both families. Counts by
// state, listeners and CLOSE_WAIT inodes must agree.
func TestNetlinkOneWalk(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeSockets(t)
	take := func(oneWalk bool) *audit.Census {
		n, err := audit.OpenNetlink()
		if err != nil {
			t.Fatal(err)
		}
		defer n.Close()
		c := audit.NewCensus(32768, 60999)
		census := n.Census
		if oneWalk {
			census = n.CensusOneWalk
		}
		if err := census(c, audit.AllStates); err != nil {
			t.Fatal(err)
		}
		return c
	}
	two, one := take(false), take(true)
	if two.ByState()["ESTABLISHED"] == 0 || len(two.Listeners) < 2 {
		t.Fatalf("the census found no sockets: %v", two.ByState())
	}
	if d := cmp.Diff(two.ByState(), one.ByState()); d != "" {
		t.Errorf("by state, per family (-) and in one walk (+):\n%s", d)
	}
	if len(one.Listeners) != len(two.Listeners) || len(one.CloseWaitInodes()) != len(two.CloseWaitInodes()) {
		t.Errorf("listeners %d and %d, CLOSE_WAIT inodes %d and %d", len(two.Listeners), len(one.Listeners), len(two.CloseWaitInodes()), len(one.CloseWaitInodes()))
	}
}
