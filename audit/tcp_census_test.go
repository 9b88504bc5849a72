package audit_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// Addresses in little-endian kernel order (docs/kernel-facts.md §1).
const (
	hexAny   = "00000000"
	hexLo    = "0100007F" // 127.0.0.1
	hex10_1  = "0100000A" // 10.0.0.1
	hex10_2  = "0200000A" // 10.0.0.2
	hex10_5  = "0500000A" // 10.0.0.5
	hex10_9  = "0900000A" // 10.0.0.9
	hexV6Any = "00000000000000000000000000000000"
	hexV6Lo  = "00000000000000000000000001000000" // ::1
	hexDoc1  = "B80D0120000000000000000001000000" // 2001:db8::1
	hexDoc2  = "B80D0120000000000000000002000000" // 2001:db8::2
)

var (
	ip10_1 = netip.MustParseAddr("10.0.0.1")
	ip10_2 = netip.MustParseAddr("10.0.0.2")
	ip10_9 = netip.MustParseAddr("10.0.0.9")
	ipAny4 = netip.IPv4Unspecified()
)

// censusLines4 exercise the ephemeral aggregate with the default range
// 32768-60999: listeners first, as the kernel lists them.
var censusLines4 = []string{
	fullLine(0, hexAny+":1F90", hexAny+":0000", "0A", "00000003", 500), // LISTEN 8080, 3 queued
	fullLine(1, hexLo+":9C40", hexAny+":0000", "0A", "00000000", 501),  // LISTEN 40000, inside the range
	fullLine(2, hexLo+":9C40", hex10_5+":C738", "01", "00000000", 502), // accepted on 40000: not ephemeral
	fullLine(3, hex10_1+":80E8", hex10_2+":01BB", "01", "00000000", 503),
	pad4(fullLine(4, hex10_1+":80E9", hex10_2+":01BB", "01", "00000010", 504)),
	twLine(5, hex10_1+":80EA", hex10_2+":01BB"),
	fullLine(6, hex10_1+":80EB", hex10_2+":0050", "01", "00000000", 506),
	fullLine(7, hex10_1+":1F90", hex10_9+":80EC", "01", "00000000", 507),  // accepted on 8080
	fullLine(8, hex10_1+":EE48", hex10_2+":01BB", "01", "00000000", 508),  // 61000: above the range
	fullLine(9, hex10_1+":8000", hex10_2+":01BB", "01", "00000000", 509),  // 32768: low bound
	fullLine(10, hex10_1+":EE47", hex10_2+":01BB", "01", "00000000", 510), // 60999: high bound
	fullLine(11, hex10_1+":7FFF", hex10_2+":01BB", "01", "00000000", 511), // 32767: below the range
	fullLine(12, hex10_1+":1F90", hex10_9+":80ED", "08", "00000000", 777),
	pad4(fullLine(13, hex10_1+":1F90", hex10_9+":80EE", "08", "00000000", 778)),
	reqLine(14, hex10_1+":1F90", hex10_9+":80EF"),
	twLine(15, hex10_1+":80F0", hex10_9+":1F90"),
	fullLine(16, hex10_1+":1F90", hex10_9+":80F1", "08", "00000000", 0), // no inode: not attributable
}

// TestParseTCPCensus checks every aggregate of one tcp file.
func TestParseTCPCensus(t *testing.T) {
	skipBigEndian(t)
	c := parseTCPString(t, tcpFile(tcp4Header, censusLines4...), false, 32768, 60999)
	want := censusView{
		States: map[string]int{"LISTEN": 2, "ESTABLISHED": 9, "TIME_WAIT": 2, "CLOSE_WAIT": 3, "SYN_RECV": 1},
		Listeners: []audit.Listener{
			{Addr: netip.IPv4Unspecified(), Port: 8080, AcceptQueue: 3, Inode: 500},
			{Addr: netip.MustParseAddr("127.0.0.1"), Port: 40000, Inode: 501},
		},
		Ephemeral: map[audit.Flow]audit.FlowUse{
			{Local: ip10_1, Remote: ip10_2, RemotePort: 443}:  {Sockets: 5, TimeWait: 1},
			{Local: ip10_1, Remote: ip10_2, RemotePort: 80}:   {Sockets: 1},
			{Local: ip10_1, Remote: ip10_9, RemotePort: 8080}: {Sockets: 1, TimeWait: 1},
		},
		CloseWait: []uint64{777, 778},
	}
	if d := cmp.Diff(want, viewOf(c), addrCmp); d != "" {
		t.Errorf("census (-want +got):\n%s", d)
	}
	if c.Total() != len(censusLines4) {
		t.Errorf("total = %d, want %d", c.Total(), len(censusLines4))
	}
	if d := cmp.Diff([]uint16{8080, 40000}, c.ListeningPorts()); d != "" {
		t.Errorf("listening ports (-want +got):\n%s", d)
	}
}

// TestParseTCPBothFamilies feeds tcp then tcp6 into one census, as Gather
// does: a tcp6 listener's port is excluded from the ephemeral aggregate and
// IPv6 destinations are counted with their own addresses.
func TestParseTCPBothFamilies(t *testing.T) {
	skipBigEndian(t)
	c := audit.NewCensus(32768, 60999)
	v4 := tcpFile(tcp4Header, fullLine(0, hex10_1+":80E8", hex10_2+":01BB", "01", "00000000", 1))
	v6 := tcpFile(tcp6Header,
		fullLine(0, hexV6Any+":9C41", hexV6Any+":0000", "0A", "00000002", 2),
		fullLine(1, hexV6Lo+":9C41", hexV6Lo+":E000", "01", "00000000", 3),   // accepted on 40001
		fullLine(2, hexDoc2+":80F2", hexDoc1+":01BB", "01", "00000000", 4),   // ephemeral
		twLine(3, hexDoc2+":80F3", hexDoc1+":01BB"),                          // ephemeral, TIME_WAIT
		fullLine(4, hexDoc2+":80F4", hexDoc1+":01BB", "08", "00000000", 444), // CLOSE_WAIT
	)
	for i, data := range []string{v4, v6} {
		if err := audit.ParseTCP(strings.NewReader(data), i == 1, c); err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
	}
	doc1, doc2 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	want := censusView{
		States:    map[string]int{"LISTEN": 1, "ESTABLISHED": 3, "TIME_WAIT": 1, "CLOSE_WAIT": 1},
		Listeners: []audit.Listener{{Addr: netip.IPv6Unspecified(), Port: 40001, AcceptQueue: 2, Inode: 2}},
		Ephemeral: map[audit.Flow]audit.FlowUse{
			{Local: ip10_1, Remote: ip10_2, RemotePort: 443}: {Sockets: 1},
			{Local: doc2, Remote: doc1, RemotePort: 443}:     {Sockets: 3, TimeWait: 1},
		},
		CloseWait: []uint64{444},
	}
	if d := cmp.Diff(want, viewOf(c), addrCmp); d != "" {
		t.Errorf("census (-want +got):\n%s", d)
	}
}

// TestParseTCPEphemeralDisabled checks that an empty range (low > high, as
// Gather passes when the range is unknown) counts no destination.
func TestParseTCPEphemeralDisabled(t *testing.T) {
	c := parseTCPString(t, tcpFile(tcp4Header, censusLines4...), false, 1, 0)
	if len(c.Ephemeral) != 0 {
		t.Errorf("ephemeral = %v, want none", c.Ephemeral)
	}
	if c.Total() != len(censusLines4) {
		t.Errorf("total = %d, want %d", c.Total(), len(censusLines4))
	}
}

// TestCensusCount checks Count for known and out-of-range states.
func TestCensusCount(t *testing.T) {
	c := parseTCPString(t, tcpFile(tcp4Header, censusLines4...), false, 1, 0)
	for s, want := range map[audit.State]int{audit.Established: 9, audit.CloseWait: 3, audit.Closing: 0, audit.State(0xEE): 0} {
		if got := c.Count(s); got != want {
			t.Errorf("Count(%v) = %d, want %d", s, got, want)
		}
	}
}
