//go:build linux && !tcpaudit_portable

package audit_test

import (
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestConntrackNetlinkMatchesTool: the ctnetlink dump's TCP state split
// equals conntrack -L -p tcp and net/nf_conntrack, for entries in three
// states made by the test in a namespace of its own.
func TestConntrackNetlinkMatchesTool(t *testing.T) {
	needTools(t, "nft", "conntrack")
	if !nstest.Enter(t) {
		return
	}
	ctRule(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	splitStates(t, ln, 9, 5, 3)
	dump, err := audit.NetlinkConntrackTCP()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	file, err := fsys.ConntrackTable()
	if err != nil {
		t.Fatal(err)
	}
	tool := conntrackList(t)
	want := map[string]int64{"ESTABLISHED": 9, "TIME_WAIT": 5, "CLOSE_WAIT": 3}
	for name, got := range map[string]map[string]int64{"conntrack -L -p tcp": tool, "net/nf_conntrack": file, "ctnetlink": dump} {
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}
