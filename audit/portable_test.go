//go:build !linux || tcpaudit_portable

package audit_test

import (
	"errors"
	"os"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestPortableNetlinkRefused: without sock_diag the netlink source fails
// with ErrNetlink, so auto falls back to the /proc files.
func TestPortableNetlinkRefused(t *testing.T) {
	if _, err := audit.OpenNetlink(); !errors.Is(err, audit.ErrNetlink) {
		t.Fatalf("OpenNetlink: %v, want ErrNetlink", err)
	}
	if err := audit.NetlinkCensus(audit.NewCensus(1, 0), audit.AllStates); !errors.Is(err, audit.ErrNetlink) {
		t.Errorf("NetlinkCensus: %v, want ErrNetlink", err)
	}
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp to fall back to")
	}
	fsys := newFS(t, "/proc")
	info, err := fsys.Census(audit.NewCensus(1, 0), audit.CensusAuto)
	if err != nil || info.Source != audit.CensusProc || info.Note == "" {
		t.Errorf("auto census: %+v, %v; want the proc source with a note", info, err)
	}
	if _, err := fsys.Census(audit.NewCensus(1, 0), audit.CensusNetlink); !errors.Is(err, audit.ErrNetlink) {
		t.Errorf("netlink census: %v, want ErrNetlink", err)
	}
}

// TestPortableGatherFixture reads the fixture tree, attribution included,
// through the portable descriptor scan.
func TestPortableGatherFixture(t *testing.T) {
	f, err := audit.Gather(audit.Options{ProcRoot: gatherRoot, Keys: gatherKeys})
	if err != nil {
		t.Fatal(err)
	}
	if f.Owners == nil || len(f.Owners.Owners) != 2 || f.Owners.Owners[0].Command != "app" {
		t.Errorf("owners %+v, want app and worker", f.Owners)
	}
}
