//go:build linux && !tcpaudit_portable

package watch

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

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
			skipWithoutBPF(t, err)
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
		if sumTo(r.TimeWait, late)+r.Missed >= k || time.Now().After(deadline) {
			break
		}
	}
	// A run of a program the kernel skipped (Reading.Missed) is an event
	// lost: every count may be that much low, never high.
	if r.Missed > 0 {
		t.Logf("%+v: the kernel skipped %d runs (%s)", o, r.Missed, misses(tr))
	}
	if got := sumTo(r.TimeWait, late); !lowBy(got, k, r.Missed) {
		t.Errorf("%+v: TIME_WAIT toward %s (closes 300 ms late): %d, want %d (%d events missed); transitions %v", o, late, got, k, r.Missed, r.Transitions)
	}
	if got := sumTo(r.TimeWait, silent); got != 0 {
		t.Errorf("%+v: TIME_WAIT toward %s (never closes): %d, want 0", o, silent, got)
	}
	for c, got := range r.Orphans {
		want := OrphanCount{Handed: k, Answered: k}
		if c.Destination == silent {
			want = OrphanCount{Handed: m}
		}
		if !lowBy(got.Handed, want.Handed, r.Missed) || !lowBy(got.Answered, want.Answered, r.Missed) || got.Answered > got.Handed || c.PID != os.Getpid() {
			t.Errorf("%+v: orphans toward %s by pid %d: %+v, want %+v (%d events missed) by pid %d", o, c.Destination, c.PID, got, want, r.Missed, os.Getpid())
		}
	}
	if len(r.Orphans) != 2 && r.Missed == 0 {
		t.Errorf("%+v: orphans toward %d destinations, want 2: %+v", o, len(r.Orphans), r.Orphans)
	}
}

// lowBy reports whether got is want, or below it by at most missed (events
// the kernel did not run the tracer for).
func lowBy(got, want, missed uint64) bool { return got <= want && got+missed >= want }

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

// TestTracerEarlyFin: a FIN that reaches the timewait sock before the
// socket it replaced reaches its tracepoint (tcp_time_wait() hashes the tw
// sock in before tcp_done()) is kept in early_fins, and the socket's move
// to CLOSE then counts its TIME_WAIT at once. The race cannot be made on
// demand, so the test plays the FIN's part: it writes the entry the FIN's
// program writes, for the 4-tuple of a connection to a peer that never
// closes (no FIN of its own comes). A fresh entry counts one TIME_WAIT; one
// older than EARLY_FIN_NS (another connection's) counts none; either is
// used up.
func TestTracerEarlyFin(t *testing.T) {
	bt, self, ok := tracedHere(t, bpfOptions{})
	if !ok {
		return
	}
	tr := Tracer(bt)
	silent := closingLater(t, 0)
	for i, c := range []struct {
		age  time.Duration
		want uint64
	}{{0, 1}, {2 * time.Second, 0}} {
		local := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(41000+i))
		k := tracerTuplekey{Netns: self, Lport: local.Port(), Dport: silent.Port(), Family: unix.AF_INET}
		copy(k.Saddr[:], local.Addr().AsSlice())
		copy(k.Daddr[:], silent.Addr().AsSlice())
		var ts unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
			t.Fatal(err)
		}
		at := uint64(ts.Nano()) - uint64(c.age)
		if err := bt.objs.EarlyFins.Put(&k, &at); err != nil {
			t.Fatal(err)
		}
		before := readTimeWait(t, tr, silent)
		d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(local)}
		conn, err := d.Dial("tcp", silent.String())
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
		var got uint64
		for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var left uint64
			if got = readTimeWait(t, tr, silent) - before; got >= c.want && bt.objs.EarlyFins.Lookup(&k, &left) != nil || time.Now().After(deadline) {
				break
			}
		}
		if got != c.want {
			t.Errorf("early FIN %v old: %d TIME_WAIT toward %s, want %d", c.age, got, silent, c.want)
		}
		var left uint64
		if err := bt.objs.EarlyFins.Lookup(&k, &left); err == nil {
			t.Errorf("early FIN %v old: still kept after the socket's move to CLOSE", c.age)
		}
	}
}

// readTimeWait is tr's TIME_WAIT count toward to.
func readTimeWait(t *testing.T, tr Tracer, to netip.AddrPort) uint64 {
	t.Helper()
	r, err := tr.Read(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return sumTo(r.TimeWait, to)
}

// misses lists the runs of tr's programs the kernel skipped.
func misses(tr Tracer) string {
	var out []string
	for name, p := range tr.(*bpfTracer).progs.Programs {
		if st, err := p.Stats(); err == nil {
			out = append(out, fmt.Sprintf("%s ran %d, missed %d", name, st.RunCount, st.RecursionMisses))
		}
	}
	return strings.Join(out, "; ")
}

// tracedHere runs the test in a network namespace of its own (see
// nstest.Enter: false in the parent, which must return) and opens a tracer
// of that namespace with o, closed at the test's end; it skips the test
// where BPF tracing is unavailable.
func tracedHere(t *testing.T, o bpfOptions) (*bpfTracer, uint32, bool) {
	t.Helper()
	if !nstest.Enter(t) {
		return nil, 0, false
	}
	self, err := NamespaceInode("/proc", "self")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := openBPF(self, o)
	if err != nil {
		skipWithoutBPF(t, err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr.(*bpfTracer), self, true
}

// skipWithoutBPF skips the test for a tracer that could not be opened,
// unless the verifier refused the programs: a kernel that loads BPF but
// not these programs is a defect of theirs, not a missing feature.
func skipWithoutBPF(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(err.Error(), "verifier:") {
		t.Fatalf("the verifier refused the programs: %v", err)
	}
	t.Skipf("needs BPF tracing: %v", err)
}

// TestTracerLateFinAfterIPv6: IPv6 connections first, then IPv4 late FINs,
// with two slots for the sockets' entries, so that the IPv4 sockets take
// over the entries closed IPv6 sockets left in them: an IPv4 address
// written over an IPv6 one must leave zeros after it, or the connection
// awaiting its FIN is keyed apart from the FIN and its TIME_WAIT counts
// as an orphan (17-23 of 1,000 beside an IPv6 workload before the fix).
func TestTracerLateFinAfterIPv6(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	// The listeners are made before the tracer, so that they take no slot.
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer ln.Close()
	late := closingLater(t, 300*time.Millisecond)
	self, err := NamespaceInode("/proc", "self")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := openBPF(self, bpfOptions{slotBits: 1})
	if err != nil {
		skipWithoutBPF(t, err)
	}
	defer tr.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	for range 20 { // every socket of both ends closed: entries free, IPv6 addresses in them
		c, err := net.Dial("tcp6", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	const k = 20
	for range k {
		c, err := net.Dial("tcp", late.String())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	var r Reading
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r, err = tr.Read(time.Now()); err != nil {
			t.Fatal(err)
		}
		if sumTo(r.TimeWait, late)+r.Missed >= k || time.Now().After(deadline) {
			break
		}
	}
	if got := sumTo(r.TimeWait, late); !lowBy(got, k, r.Missed) {
		t.Errorf("TIME_WAIT toward %s (closes 300 ms late): %d, want %d (%d events missed)", late, got, k, r.Missed)
	}
	for c, o := range r.Orphans {
		if c.Destination == late && o.Handed != o.Answered {
			t.Errorf("orphans toward %s: %+v, want every one answered by the late FIN", late, o)
		}
	}
}
