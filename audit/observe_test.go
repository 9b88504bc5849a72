package audit_test

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/internal/sockgen"
)

// TestObserverCountsNew: in a fresh namespace, 30 connections closed by
// the client between two readings are 30 new outgoing 4-tuples to the
// listener and 30 new TIME_WAIT entries; a FIN_WAIT2 orphan appears and is
// aged by the next reading.
func TestObserverCountsNew(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g, o := observing(t, 9000, "net.ipv4.tcp_fin_timeout")
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	if _, err := o.Observe(at(t0)); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		if err := g.TimeWait(); err != nil {
			t.Fatal(err)
		}
	}
	// An orphan in FIN_WAIT2: the client closes, the server never does.
	c, s, err := g.Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(s)
	unix.Close(c)
	time.Sleep(50 * time.Millisecond)
	ob, err := o.Observe(at(t0.Add(time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	dest := audit.Flow{Local: netip.MustParseAddr("127.0.0.1"), Remote: netip.MustParseAddr("127.0.0.1"), RemotePort: 9000}
	if u := ob.Outgoing[dest]; u.New != 31 || u.TimeWait != 30 || ob.NewTimeWait != 30 || ob.Interval != time.Second {
		t.Errorf("outgoing %+v, new TIME_WAIT %d, interval %s: want 31 new (30 TIME_WAIT + 1 FIN_WAIT2), 30 new TIME_WAIT, 1 s", u, ob.NewTimeWait, ob.Interval)
	}
	if ob.FinWait2.Count != 1 || ob.FinWait2.Orphaned != 1 || ob.FinWait2.NewOrphaned != 1 {
		t.Errorf("FIN_WAIT2 %+v: want one new orphan", ob.FinWait2)
	}
	ob, err = o.Observe(at(t0.Add(3 * time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if ob.FinWait2.Oldest != 2*time.Second || ob.NewTimeWait != 0 || ob.Outgoing[dest].New != 0 {
		t.Errorf("third reading: FIN_WAIT2 %+v, new TIME_WAIT %d, outgoing %+v: want the orphan 2 s old and nothing new", ob.FinWait2, ob.NewTimeWait, ob.Outgoing[dest])
	}
}

// TestObserverTCPInfo: a flow that sent data has tcp_info with a positive
// RTT and delivery rate, and its bytes since the previous reading.
func TestObserverTCPInfo(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g, err := sockgen.New([]uint16{9001}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	c, s, err := g.Pair()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(c)
	defer unix.Close(s)
	fsys, _ := audit.NewFS("/proc")
	o := audit.NewObserver(fsys, audit.CensusNetlink, nil)
	t0 := time.Now()
	if _, err := o.Observe(at(t0)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	for range 16 { // 1 MiB, read as it goes
		if _, err := unix.Write(c, buf); err != nil {
			t.Fatal(err)
		}
		for got := 0; got < len(buf); {
			n, err := unix.Read(s, buf)
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
	}
	ob, err := o.Observe(at(t0.Add(time.Second)))
	if err != nil || len(ob.Flows) == 0 {
		t.Fatalf("flows %v, %v", ob.Flows, err)
	}
	var sent, recv bool
	for _, f := range ob.Flows {
		if f.Sent == 16*64<<10 && f.Info.RTT > 0 && f.Info.DeliveryRate > 0 {
			sent = true
		}
		recv = recv || f.Received == 16*64<<10
	}
	if !sent || !recv {
		t.Errorf("flows %+v: want the sender with 1 MiB acked, RTT and delivery rate, and the receiver with 1 MiB", ob.Flows)
	}
}

// TestDecodeTCPInfoShort: a struct shorter than the fields read (an older
// kernel) leaves them 0.
func TestDecodeTCPInfoShort(t *testing.T) {
	if got := audit.DecodeTCPInfo(make([]byte, 100)); got != (audit.TCPInfo{}) {
		t.Errorf("got %+v from 100 zero bytes", got)
	}
	b := make([]byte, 104)
	binary.NativeEndian.PutUint32(b[68:], 16) // tcpi_rtt = 16 µs
	if got := audit.DecodeTCPInfo(b); got.RTT != 16*time.Microsecond || got.DeliveryRate != 0 {
		t.Errorf("got %+v", got)
	}
}

func FuzzDecodeTCPInfo(f *testing.F) {
	f.Add(make([]byte, 232))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) { audit.DecodeTCPInfo(b) })
}

// observing returns a socket generator listening on 127.0.0.1:port (closed
// when the test ends) and an observer of the live /proc reading keys.
func observing(t *testing.T, port uint16, keys ...string) (*sockgen.Generator, *audit.Observer) {
	t.Helper()
	g, err := sockgen.New([]uint16{port}, []netip.Addr{netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	return g, audit.NewObserver(fsys, audit.CensusNetlink, keys)
}

// at is a clock that always says t.
func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// TestObserverCountersBeforeCensus: connections made while a reading is
// taken (here, each time the reading asks the clock) are counted by Tcp
// ActiveOpens no earlier than the census sees their 4-tuples: the counters'
// rise is never more than the new 4-tuples, so no connection the counters
// count in the last reading goes without a destination.
func TestObserverCountersBeforeCensus(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g, o := observing(t, 9002)
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	prev, err := o.Observe(at(t0))
	if err != nil {
		t.Fatal(err)
	}
	busy := func() time.Time { // 5 connections at each look at the clock
		for range 5 {
			if err := g.TimeWait(); err != nil {
				t.Fatal(err)
			}
		}
		t0 = t0.Add(time.Second)
		return t0
	}
	for i := range 3 {
		ob, err := o.Observe(busy)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := prev.Counters.Get("Tcp", "ActiveOpens")
		b, _ := ob.Counters.Get("Tcp", "ActiveOpens")
		seen := 0
		for _, u := range ob.Outgoing {
			seen += u.New
		}
		if b-a == 0 || b-a > int64(seen) {
			t.Errorf("reading %d: ActiveOpens rose by %d, the census saw %d new 4-tuples: want a rise, and no more than it saw", i+2, b-a, seen)
		}
		prev = ob
	}
}
