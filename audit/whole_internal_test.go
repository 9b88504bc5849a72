//go:build linux && !tcpaudit_portable

package audit

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// TestIteratorReportsCloseWaitWhole counts the CLOSE_WAIT sockets of a
// fresh namespace by process with the iterator reporting them whole (no
// inode looked up, the batch's smallest size lowered to 1): this process
// holds the 20 of the census, and the 10 it opens after the census, which
// the iterator reports too, are dropped by the join, as are any other
// namespace's.
func TestIteratorReportsCloseWaitWhole(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g, err := sockgen.New([]uint16{1000}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	if err := g.Make(sockgen.Plan{CloseWait: 20}); err != nil {
		t.Fatal(err)
	}
	c := NewCensus(1, 0)
	if err := NetlinkCensus(c, AllStates); err != nil {
		t.Fatal(err)
	}
	if err := g.Make(sockgen.Plan{CloseWait: 10}); err != nil { // not in the census
		t.Fatal(err)
	}
	fsys, err := NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	fsys = fsys.WithAttribution(AttributionBPF)
	sc := fsys.scanner(0)
	defer sc.close()
	sc.wholeMin = 1
	pc, err := fsys.processesOf(c, CensusNetlink, sc)
	if errors.Is(err, ErrNoIterator) {
		t.Skipf("no BPF iterator here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.iteratorStates(newBatchScan(c.CloseWaitSet())); got.Report != uint32(StatesOf(CloseWait)) || got.Lookup != 0 {
		t.Errorf("states of the run %+v, want CLOSE_WAIT reported whole and nothing looked up", got)
	}
	comm := filepath.Base(os.Args[0])
	want := []ProcessSockets{{PID: os.Getpid(), Command: comm[:min(len(comm), 15)], Total: 20, States: map[State]int{CloseWait: 20}}}
	if d := cmp.Diff(want, pc.Processes); d != "" || pc.Unattributed != 0 || pc.Method != AttributionBPF {
		t.Errorf("by %q, %d unattributed; processes (-want +got):\n%s", pc.Method, pc.Unattributed, d)
	}
}
