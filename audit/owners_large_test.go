//go:build linux && !tcpaudit_portable

package audit_test

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// largeCloseWait is more CLOSE_WAIT sockets than the 4096 Facts keeps
// with their tcp_info and holders.
const largeCloseWait = 5000

// TestGatherOwnersLargeBatch gathers the facts, the iterator loaded before
// the census, of a fresh namespace holding
// 5000 CLOSE_WAIT sockets of this process, whose FIN_WAIT2 peers make two
// heavy destinations, with the BPF iterator and with the descriptor scan:
// both name this process as the owner of every CLOSE_WAIT socket and of the
// ports toward the heavy destinations, and agree on everything else.
func TestGatherOwnersLargeBatch(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	dsts := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")}
	g, err := sockgen.New([]uint16{1000}, dsts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	if err := g.Make(sockgen.Plan{CloseWait: largeCloseWait, Established: 200}); err != nil {
		t.Skipf("cannot make %d CLOSE_WAIT sockets here: %v", largeCloseWait, err)
	}
	got := map[audit.AttributionMode]*audit.Attribution{}
	for _, m := range []audit.AttributionMode{audit.AttributionFDScan, audit.AttributionBPF} {
		f, err := audit.Gather(audit.Options{ProcRoot: "/proc", Attribution: m})
		if errors.Is(err, audit.ErrNoIterator) && m == audit.AttributionBPF {
			t.Skipf("no BPF iterator here: %v", err) // a forced iterator that cannot run
		}
		if err != nil {
			t.Fatal(err)
		}
		if why, _ := f.NotRead(audit.SourceProcesses); f.Owners == nil {
			t.Fatalf("%s: no owners gathered: %s", m, why)
		}
		if f.Owners.Method != m {
			t.Errorf("%s attribution read processes with %q", m, f.Owners.Method)
		}
		got[m] = f.Owners
	}
	// The holders kept are those of the 4096 longest idle CLOSE_WAIT
	// sockets, which two gathers may pick differently among sockets idle
	// as long: their number and holder are compared, not their inodes.
	ignore := cmpopts.IgnoreFields(audit.Attribution{}, "Unreadable", "Holders")
	if d := cmp.Diff(got[audit.AttributionFDScan], got[audit.AttributionBPF], ignoreMethod, ignore); d != "" {
		t.Errorf("fd scan vs BPF iterator (-scan +bpf):\n%s", d)
	}
	comm := filepath.Base(os.Args[0])
	self := audit.Owner{PID: os.Getpid(), Command: comm[:min(len(comm), 15)]}
	bpf := got[audit.AttributionBPF]
	if n, m := len(got[audit.AttributionFDScan].Holders), len(bpf.Holders); n != m || m == 0 {
		t.Errorf("holders of %d sockets with the scan, %d with the iterator", n, m)
	}
	for ino, h := range bpf.Holders {
		if h.PID != self.PID || h.Command != self.Command {
			t.Errorf("inode %d held by %+v, want this process", ino, h)
		}
	}
	want := self
	want.Sockets = largeCloseWait
	if d := cmp.Diff([]audit.Owner{want}, bpf.Owners); d != "" {
		t.Errorf("CLOSE_WAIT owners (-want +bpf):\n%s", d)
	}
	if bpf.Unattributed != 0 || bpf.Closed != 0 {
		t.Errorf("%d unattributed and %d closed CLOSE_WAIT sockets, want none", bpf.Unattributed, bpf.Closed)
	}
	if len(bpf.Flows) == 0 {
		t.Error("no heavy destination attributed")
	}
	checkPrepared(t, self)
	for fl, owners := range bpf.Flows {
		if len(owners) != 1 || owners[0].PID != self.PID || owners[0].Sockets < 100 {
			t.Errorf("ports toward %v: owners %+v, want this process with at least 100", fl, owners)
		}
	}
}

// checkPrepared counts the CLOSE_WAIT sockets by process with an
// attribution prepared (the iterator loaded) before the census: this
// process holds every one.
func checkPrepared(t *testing.T, self audit.Owner) {
	t.Helper()
	prep := liveFS(t).WithAttribution(audit.AttributionBPF).PrepareAttribution()
	defer prep.Close()
	lo, hi := portRange(t)
	c := audit.NewCensus(lo, hi)
	if err := audit.NetlinkCensus(c, audit.AllStates); err != nil {
		t.Fatal(err)
	}
	pc, err := prep.ProcessesOf(c, audit.CensusNetlink)
	if err != nil {
		t.Fatal(err)
	}
	want := []audit.ProcessSockets{{PID: self.PID, Command: self.Command, Total: largeCloseWait,
		States: map[audit.State]int{audit.CloseWait: largeCloseWait}}}
	if d := cmp.Diff(want, pc.Processes); d != "" || pc.Method != audit.AttributionBPF || pc.Unattributed != 0 {
		t.Errorf("prepared attribution by %q, %d unattributed (-want +got):\n%s", pc.Method, pc.Unattributed, d)
	}
}
