//go:build linux

package audit_test

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestGatherOwnersEveryWay holds 20 CLOSE_WAIT sockets, each through two
// descriptors, and hands 4 of them to a child (sleep), each twice: Gather,
// the facts of check, attributes them by the descriptor scan and by the
// iterator (whose join keeps the census's inodes in a compact set) alike:
// this process owns the 20, the child holds 4 of them too, and each of
// the 4 names both.
func TestGatherOwnersEveryWay(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	conns, kid := dupAndShare(t, 20, 4)
	me := os.Getpid()
	for _, mode := range []audit.AttributionMode{audit.AttributionFDScan, audit.AttributionBPF} {
		f, err := audit.Gather(audit.Options{ProcRoot: "/proc", Attribution: mode})
		if errors.Is(err, audit.ErrNoIterator) {
			t.Logf("%s: %v", mode, err)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		a := f.Owners
		if a == nil {
			why, _ := f.NotRead(audit.SourceProcesses)
			t.Fatalf("%s: no owners (%s)", mode, why)
		}
		want := []audit.Owner{{PID: me, Command: a.Owners[0].Command, Sockets: 20, Holders: []int{kid}}}
		if !slices.EqualFunc(a.Owners, want, func(x, y audit.Owner) bool {
			return x.PID == y.PID && x.Sockets == y.Sockets && slices.Equal(x.Holders, y.Holders)
		}) || a.Unattributed != 0 || a.Method != mode {
			t.Errorf("%s: owners %+v, %d unattributed, by %q; want %+v by %q", mode, a.Owners, a.Unattributed, a.Method, want, mode)
		}
		// One namespace of several, searched among its processes (this one
		// only): the descriptor scan searches them alone, the iterator
		// every process of the host, and only the first is scoped.
		sf, err := audit.Gather(audit.Options{ProcRoot: "/proc", Attribution: mode, Scope: &audit.Scope{PIDs: []int{me}}})
		if err != nil {
			t.Fatal(err)
		}
		if sf.Owners == nil || sf.Owners.Scoped != (mode == audit.AttributionFDScan) {
			t.Errorf("%s in a scope: owners %+v, want scoped %v", mode, sf.Owners, mode == audit.AttributionFDScan)
		}
		for i, c := range conns {
			h, ok := a.Holder(inode(t, c))
			others := []int(nil)
			if i < 4 {
				others = []int{kid}
			}
			if !ok || h.PID != me || !slices.Equal(h.Others, others) {
				t.Errorf("%s: holder of socket %d: %+v %v; want %d with %v", mode, i, h, ok, me, others)
			}
		}
	}
}
