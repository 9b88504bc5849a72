//go:build linux && !tcpaudit_portable

package audit

import (
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestConntrackTCPFallsBackToNetlink: on a live host whose net/nf_conntrack
// is absent (CONFIG_NF_CONNTRACK_PROCFS off), the TCP states come from the
// ctnetlink dump, and they equal the file's where both exist. The absent
// file is a proc root without it, read as live.
func TestConntrackTCPFallsBackToNetlink(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skipf("needs nft (Debian package nftables): %v", err)
	}
	if !nstest.Enter(t) {
		return
	}
	for _, args := range []string{
		"add table inet t",
		"add chain inet t out { type filter hook output priority 0 ; }",
		"add rule inet t out ct state new,established accept",
	} {
		if out, err := exec.Command("nft", strings.Fields(args)...).CombinedOutput(); err != nil {
			t.Fatalf("nft %s: %v: %s", args, err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for range 7 {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	live, err := NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	want, from, err := live.ConntrackTCP()
	if err != nil || from != SourceConntrackTable {
		t.Fatalf("live: from %s, err %v", from, err)
	}
	empty, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, from, err := empty.conntrackTCP(true)
	if err != nil || from != SourceConntrackNetlink {
		t.Fatalf("without net/nf_conntrack: from %s, err %v", from, err)
	}
	if d := cmp.Diff(want, got); d != "" || want["ESTABLISHED"] != 7 {
		t.Errorf("ctnetlink against net/nf_conntrack (-file +netlink):\n%s", d)
	}
	if _, _, err := empty.ConntrackTCP(); err == nil {
		t.Error("a proc root that is not live fell back to the live host's netlink dump")
	}
}
