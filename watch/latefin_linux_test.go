//go:build linux && !tcpaudit_portable

package watch

import (
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// TestTracerLateFin: a client closes first toward a server that closes
// 300 ms later (its FIN reaches a timewait sock of substate FIN_WAIT2,
// which becomes a TIME_WAIT) and toward one that never closes (the
// orphans stay FIN_WAIT2). Both ways of seeing the late FIN count the
// same, from the kernel's maps alone: the drop of the segment naming the
// timewait sock (kfree_skb's rx_sk), the freed packets' headers of the
// kernels without it, and with two slots for the sockets' entries (most
// sockets' entries then in the hash).
func TestTracerLateFin(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	if err := os.WriteFile("/proc/sys/net/ipv4/tcp_fin_timeout", []byte("5"), 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := NamespaceInode("/proc", "self")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []bpfOptions{{}, {packets: true}, {slotBits: 1}} {
		tr, err := openBPF(self, o)
		if err != nil {
			t.Skipf("needs BPF tracing: %v", err)
		}
		lateFins(t, tr, o)
		tr.Close()
	}
}

// lateFins makes k late FINs and m silent peers under tr and checks its
// counts.
func lateFins(t *testing.T, tr Tracer, o bpfOptions) {
	const k, m = 10, 3
	late, silent := closingLater(t, 300*time.Millisecond), closingLater(t, 0)
	for _, to := range []struct {
		addr netip.AddrPort
		n    int
	}{{late, k}, {silent, m}} {
		for range to.n {
			c, err := net.Dial("tcp", to.addr.String())
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
		}
	}
	var r Reading
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var err error
		if r, err = tr.Read(time.Now()); err != nil {
			t.Fatal(err)
		}
		if sumTo(r.TimeWait, late) >= k || time.Now().After(deadline) {
			break
		}
	}
	if got := sumTo(r.TimeWait, late); got != k {
		t.Errorf("%+v: TIME_WAIT toward %s (closes 300 ms late): %d, want %d", o, late, got, k)
	}
	if got := sumTo(r.TimeWait, silent); got != 0 {
		t.Errorf("%+v: TIME_WAIT toward %s (never closes): %d, want 0", o, silent, got)
	}
	for c, o := range r.Orphans {
		want := OrphanCount{Handed: k, Answered: k}
		if c.Destination == silent {
			want = OrphanCount{Handed: m}
		}
		if o != want || c.PID != os.Getpid() {
			t.Errorf("%+v: orphans toward %s by pid %d: %+v, want %+v by pid %d", o, c.Destination, c.PID, o, want, os.Getpid())
		}
	}
	if len(r.Orphans) != 2 {
		t.Errorf("%+v: orphans toward %d destinations, want 2: %+v", o, len(r.Orphans), r.Orphans)
	}
}

// sumTo sums the counts toward one destination.
func sumTo(counts map[Creator]uint64, to netip.AddrPort) uint64 {
	var n uint64
	for c, v := range counts {
		if c.Destination == to {
			n += v
		}
	}
	return n
}

// closingLater is a sockgen.HoldingServer for the test's lifetime.
func closingLater(t *testing.T, delay time.Duration) netip.AddrPort {
	t.Helper()
	addr, stop, err := sockgen.HoldingServer(delay)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}
