package sockets_test

import (
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/sockets"
)

// TestConntrackLineMatchesTool: in a namespace of its own with a ct state
// rule and 12 loopback connections, 3 of them closed, the view's
// conntrack line counts 12 entries, with the TCP states of
// conntrack -L -p tcp.
func TestConntrackLineMatchesTool(t *testing.T) {
	for _, tool := range []string{"nft", "conntrack"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s (Debian packages nftables and conntrack): %v", tool, err)
		}
	}
	if !nstest.Enter(t) {
		return
	}
	for _, args := range []string{
		"add table inet t",
		"add chain inet t in { type filter hook input priority 0 ; }",
		"add rule inet t in ct state established,related accept",
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
	for i := range 12 {
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
		if i < 3 {
			c.Close()
			s.Close()
		}
	}
	time.Sleep(200 * time.Millisecond)
	v, err := sockets.Take(t.Context(), "/proc", sockets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Conntrack == nil {
		t.Fatal("no conntrack line")
	}
	want := map[string]int64{}
	out, err := exec.Command("conntrack", "-L", "-p", "tcp").Output()
	if err != nil {
		t.Fatalf("conntrack -L: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "tcp" {
			want[f[3]]++
		}
	}
	if d := cmp.Diff(want, v.Conntrack.TCPStates); d != "" || want["ESTABLISHED"] != 9 || want["TIME_WAIT"] != 3 {
		t.Errorf("TCP states against conntrack -L -p tcp (-tool +view):\n%s", d)
	}
	if v.Conntrack.Count != 12 {
		t.Errorf("count %d, want 12", v.Conntrack.Count)
	}
}
