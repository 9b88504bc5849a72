package audit

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// encodeDiag appends one SOCK_DIAG_BY_FAMILY message for s, laid out as the
// kernel's inet_diag_msg, plus a 8-byte attribute as the kernel appends.
func encodeDiag(b []byte, seq uint32, s Socket) []byte {
	m := make([]byte, nlmsgHdrLen+diagMsgLen+8)
	ne := binary.NativeEndian
	ne.PutUint32(m[0:], uint32(len(m)))
	ne.PutUint16(m[4:], sockDiagByFamily)
	ne.PutUint32(m[8:], seq)
	d := m[nlmsgHdrLen:]
	d[0] = afInet6
	if s.Local.Is4() {
		d[0] = afInet
	}
	d[1] = byte(s.State)
	binary.BigEndian.PutUint16(d[4:], s.LocalPort)
	binary.BigEndian.PutUint16(d[6:], s.RemotePort)
	copy(d[8:24], s.Local.AsSlice())
	copy(d[24:40], s.Remote.AsSlice())
	ne.PutUint32(d[56:], s.RxQueue)
	ne.PutUint32(d[60:], s.Backlog)
	ne.PutUint32(d[68:], uint32(s.Inode))
	return append(b, m...)
}

func TestDecodeDiagRoundTrip(t *testing.T) {
	for _, want := range []Socket{
		{Local: netip.MustParseAddr("10.1.2.3"), Remote: netip.MustParseAddr("192.0.2.7"),
			LocalPort: 40000, RemotePort: 443, State: Established, RxQueue: 17, Inode: 99},
		{Local: netip.MustParseAddr("::"), Remote: netip.MustParseAddr("::"),
			LocalPort: 80, State: Listen, RxQueue: 3, Backlog: 511, Inode: 7},
		{Local: netip.MustParseAddr("::ffff:127.0.0.1"), Remote: netip.MustParseAddr("2001:db8::1"),
			LocalPort: 8080, RemotePort: 50000, State: CloseWait, Inode: 1<<32 - 1},
	} {
		msg := encodeDiag(nil, 1, want)
		var got Socket
		if err := DecodeDiag(msg[nlmsgHdrLen:], &got); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
			t.Errorf("decode (-want +got):\n%s", d)
		}
	}
}

func TestMessagesRejectsBadLength(t *testing.T) {
	n := &Netlink{seq: 1}
	msg := encodeDiag(nil, 1, Socket{Local: netip.IPv4Unspecified(), Remote: netip.IPv4Unspecified(), State: Listen})
	binary.NativeEndian.PutUint32(msg, uint32(len(msg)+4))
	if _, err := n.messages(msg, NewCensus(1, 0)); err == nil {
		t.Fatal("a message longer than its datagram was accepted")
	}
}

// FuzzMessages feeds arbitrary datagrams to the message walker: it must
// never panic, only return errors.
func FuzzMessages(f *testing.F) {
	f.Add(encodeDiag(nil, 1, Socket{Local: netip.MustParseAddr("127.0.0.1"), Remote: netip.MustParseAddr("127.0.0.1"), State: TimeWait}))
	f.Add([]byte{16, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		n := &Netlink{seq: 1}
		_, _ = n.messages(b, NewCensus(32768, 60999))
	})
}

// diagDatagram builds a datagram of k TIME_WAIT messages over 16 flows, the
// size a kernel dump sends in one read.
func diagDatagram(k int) []byte {
	var b []byte
	for i := range k {
		b = encodeDiag(b, 1, Socket{
			Local: netip.MustParseAddr("127.0.0.1"), Remote: netip.AddrFrom4([4]byte{127, 1, 0, byte(i % 16)}),
			LocalPort: uint16(32768 + i), RemotePort: 1000, State: TimeWait,
		})
	}
	return b
}

// BenchmarkDecodeDiag measures decoding one inet_diag_msg.
func BenchmarkDecodeDiag(b *testing.B) {
	msg := diagDatagram(1)[nlmsgHdrLen:]
	var s Socket
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeDiag(msg, &s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNetlinkAggregate measures walking a datagram and adding every
// socket to a census, per socket.
func BenchmarkNetlinkAggregate(b *testing.B) {
	const k = 350
	dg := diagDatagram(k)
	n := &Netlink{seq: 1}
	c := NewCensus(32768, 60999)
	b.ReportAllocs()
	b.SetBytes(int64(len(dg) / k))
	for b.Loop() {
		if _, err := n.messages(dg, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/socket")
}

// attr returns one rtattr of type typ holding v.
func attr(typ uint16, v []byte) []byte {
	a := make([]byte, 4+len(v), nlmsgAlign(4+len(v)))
	binary.NativeEndian.PutUint16(a[0:], uint16(4+len(v)))
	binary.NativeEndian.PutUint16(a[2:], typ)
	copy(a[4:], v)
	return a[:cap(a)]
}

// TestDecodeDiagAttributes: SK_MEMINFO_DROPS of INET_DIAG_SKMEMINFO and
// tcpi_last_data_recv of INET_DIAG_INFO are read; a message without them
// leaves them zero (and HasInfo false), even after one that had them; a
// truncated attribute ends the walk.
func TestDecodeDiagAttributes(t *testing.T) {
	base := encodeDiag(nil, 1, Socket{Local: netip.MustParseAddr("127.0.0.1"), Remote: netip.MustParseAddr("127.0.0.1"), State: CloseWait, Inode: 5})
	body := base[nlmsgHdrLen : nlmsgHdrLen+diagMsgLen]
	mem := make([]byte, 4*9)
	binary.NativeEndian.PutUint32(mem[4*skMemInfoDrops:], 42)
	info := make([]byte, 104)
	binary.NativeEndian.PutUint32(info[tcpiLastRecv:], 3500)
	var s Socket
	withAttrs := append(append(append([]byte{}, body...), attr(diagSkMemInfo, mem)...), attr(diagInfo, info)...)
	if err := DecodeDiag(withAttrs, &s); err != nil {
		t.Fatal(err)
	}
	if s.Drops != 42 || s.IdleMs != 3500 || !s.HasInfo {
		t.Errorf("drops %d, idle %d ms, info %v: want 42, 3500, true", s.Drops, s.IdleMs, s.HasInfo)
	}
	truncated := append(append([]byte{}, body...), 0xff, 0x00, 0x02, 0x00)
	if err := DecodeDiag(truncated, &s); err != nil {
		t.Fatal(err)
	}
	if s.Drops != 0 || s.IdleMs != 0 || s.HasInfo {
		t.Errorf("after a message without attributes: drops %d, idle %d, info %v", s.Drops, s.IdleMs, s.HasInfo)
	}
	if got := diagExtensions(StatesOf(Listen), NewCensus(1, 0)); got != 1<<(diagSkMemInfo-1) {
		t.Errorf("extensions of a listener dump %#x", got)
	}
	if got := diagExtensions(StatesOf(CloseWait), NewCensus(1, 0, WithSocketInfo())); got != 1<<(diagInfo-1) {
		t.Errorf("extensions of a CLOSE_WAIT dump with tcp_info %#x", got)
	}
}

// TestHeavyFlows: destinations holding 100 ports (or a quarter of a small
// range) are heavy, IPv4-mapped ones merged with their IPv4 form.
func TestHeavyFlows(t *testing.T) {
	c := NewCensus(50000, 50999)
	add := func(local, remote string, n int, port uint16) {
		for i := range n {
			c.Add(&Socket{Local: netip.MustParseAddr(local), Remote: netip.MustParseAddr(remote), LocalPort: port + uint16(i), RemotePort: 443, State: Established})
		}
	}
	add("10.0.0.1", "10.0.0.9", 60, 50000)
	add("::ffff:10.0.0.1", "::ffff:10.0.0.9", 40, 50100)
	add("10.0.0.1", "10.0.0.8", 99, 50200)
	want := []Flow{{Local: netip.MustParseAddr("10.0.0.1"), Remote: netip.MustParseAddr("10.0.0.9"), RemotePort: 443}}
	if d := cmp.Diff(want, c.HeavyFlows(), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
		t.Errorf("heavy flows (-want +got):\n%s", d)
	}
}
