//go:build linux && !tcpaudit_portable

package audit_test

import (
	"net"
	"net/netip"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestFlowFilterMatchesProc connects to two destinations in a fresh
// namespace, over IPv4 and over IPv6 to an IPv4-mapped address, and takes
// the census of the sockets toward one of them twice: over netlink, where
// the kernel filters with inet_diag bytecode, and from /proc, filtered here.
// Both find the same sockets: the five IPv4 ones and the two mapped ones.
func TestFlowFilterMatchesProc(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	a, b := listen(t, "127.0.0.1:0"), listen(t, "127.0.0.2:0")
	dial(t, "tcp4", a, 5)
	dialMapped(t, mustPort(t, a), 2)
	dial(t, "tcp4", b, 4)
	lo, hi := portRange(t)
	flow := audit.Flow{Local: netip.MustParseAddr("127.0.0.1"), Remote: netip.MustParseAddr("127.0.0.1"), RemotePort: uint16(mustPort(t, a))}
	got := map[audit.CensusSource]map[uint64]audit.Flow{}
	counted := map[audit.CensusSource]int{}
	for _, src := range []audit.CensusSource{audit.CensusNetlink, audit.CensusProc} {
		c := audit.NewCensus(lo, hi, audit.WithoutCloseWait(), audit.WithFlowInodes([]audit.Flow{flow}))
		if _, err := liveFS(t).Census(c, src); err != nil {
			t.Fatal(err)
		}
		got[src], counted[src] = c.FlowInodes(), c.Total()
	}
	// The kernel sent the listeners and the sockets toward the flow only;
	// /proc lists every socket (11 clients, 11 accepted, 2 listeners).
	if counted[audit.CensusNetlink] != 2+7 || counted[audit.CensusProc] != 2+2*11 {
		t.Errorf("sockets counted: netlink %d, want 9; proc %d, want 24", counted[audit.CensusNetlink], counted[audit.CensusProc])
	}
	if d := cmp.Diff(got[audit.CensusProc], got[audit.CensusNetlink], addrCmp); d != "" {
		t.Errorf("sockets toward %v (-proc +netlink):\n%s", flow, d)
	}
	if n := len(got[audit.CensusNetlink]); n != 7 {
		t.Errorf("%d sockets toward %v, want 7", n, flow)
	}
}

func listen(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}

func dial(t *testing.T, network, addr string, n int) {
	t.Helper()
	for range n {
		c, err := net.Dial(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
}

// dialMapped connects n AF_INET6 sockets to ::ffff:127.0.0.1 port.
func dialMapped(t *testing.T, port, n int) {
	t.Helper()
	for range n {
		fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		sa := &syscall.SockaddrInet6{Port: port, Addr: netip.MustParseAddr("::ffff:127.0.0.1").As16()}
		if err := syscall.Connect(fd, sa); err != nil {
			t.Fatal(err)
		}
	}
}

func mustPort(t *testing.T, addr string) int {
	t.Helper()
	return int(netip.MustParseAddrPort(addr).Port())
}
