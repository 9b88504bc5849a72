package audit_test

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// The headers the kernel prints (docs/kernel-facts.md §1).
const (
	tcp4Header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
	tcp6Header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
)

// fullLine is a full socket line (get_tcp4_sock / get_tcp6_sock format).
func fullLine(sl int, local, remote, st, rxQueue string, inode uint64) string {
	return fmt.Sprintf("%4d: %s %s %s 00000000:%s 00:00000000 00000000  1000        0 %d 1 0000000000000000 20 4 30 10 -1",
		sl, local, remote, st, rxQueue, inode)
}

// twLine is a TIME_WAIT minisock line: fewer columns, tr 3, inode 0.
func twLine(sl int, local, remote string) string {
	return fmt.Sprintf("%4d: %s %s 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000", sl, local, remote)
}

// reqLine is a request sock (embryonic SYN_RECV) line: st 03, inode 0.
func reqLine(sl int, local, remote string) string {
	return fmt.Sprintf("%4d: %s %s 03 00000000:00000000 01:00000064 00000002  1000        0 0 0 0000000000000000", sl, local, remote)
}

// pad4 pads an IPv4 line to 149 characters, as seq_setwidth does.
func pad4(line string) string { return fmt.Sprintf("%-149s", line) }

// tcpFile joins a header and lines into a file ending in a newline.
func tcpFile(header string, lines ...string) string {
	return strings.Join(append([]string{header}, lines...), "\n") + "\n"
}

// censusView is the comparable content of a Census.
type censusView struct {
	States    map[string]int
	Unknown   int
	Listeners []audit.Listener
	Ephemeral map[audit.Flow]audit.FlowUse
	CloseWait []uint64
}

func viewOf(c *audit.Census) censusView {
	v := censusView{States: c.ByState(), Unknown: c.Unknown, Listeners: c.Listeners, Ephemeral: c.Ephemeral}
	for ino := range c.CloseWaitInodes() {
		v.CloseWait = append(v.CloseWait, ino)
	}
	slices.Sort(v.CloseWait)
	return v
}

var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// parseTCPString parses a tcp or tcp6 file held in a string.
func parseTCPString(t *testing.T, data string, ipv6 bool, low, high uint16) *audit.Census {
	t.Helper()
	c := audit.NewCensus(low, high)
	if err := audit.ParseTCP(strings.NewReader(data), ipv6, c); err != nil {
		t.Fatalf("ParseTCP: %v", err)
	}
	return c
}

// skipBigEndian skips tests whose fixtures encode addresses the way a
// little-endian kernel prints them.
func skipBigEndian(t *testing.T) {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("fixtures hold addresses as a little-endian kernel prints them")
	}
}

// TestParseTCPAddresses decodes known addresses in kernel byte order, both
// as a listener's local address and as a connection's remote address.
func TestParseTCPAddresses(t *testing.T) {
	skipBigEndian(t)
	tests := []struct {
		name, local string
		ipv6        bool
		want        netip.AddrPort
	}{
		{"loopback", "0100007F:0050", false, netip.MustParseAddrPort("127.0.0.1:80")},
		{"private", "0100000A:1F90", false, netip.MustParseAddrPort("10.0.0.1:8080")},
		{"lan", "1401A8C0:01BB", false, netip.MustParseAddrPort("192.168.1.20:443")},
		{"any", "00000000:0016", false, netip.MustParseAddrPort("0.0.0.0:22")},
		{"lower-case hex", "1401a8c0:ffff", false, netip.MustParseAddrPort("192.168.1.20:65535")},
		{"v6 loopback", "00000000000000000000000001000000:0050", true, netip.MustParseAddrPort("[::1]:80")},
		{"v4-mapped", "0000000000000000FFFF00000100007F:0CEA", true, netip.MustParseAddrPort("[::ffff:127.0.0.1]:3306")},
		{"v6 global", "B80D0120000000000000000001000000:01BB", true, netip.MustParseAddrPort("[2001:db8::1]:443")},
		{"v6 any", "00000000000000000000000000000000:0016", true, netip.MustParseAddrPort("[::]:22")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, other := tcp4Header, "0100007F:9000"
			if tt.ipv6 {
				header, other = tcp6Header, "00000000000000000000000001000000:9000"
			}
			data := tcpFile(header,
				fullLine(0, tt.local, strings.Repeat("0", len(tt.local)-5)+":0000", "0A", "00000000", 11),
				fullLine(1, other, tt.local, "01", "00000000", 12))
			c := parseTCPString(t, data, tt.ipv6, 36864, 36864)
			if len(c.Listeners) != 1 {
				t.Fatalf("listeners = %+v, want one", c.Listeners)
			}
			l := c.Listeners[0]
			if got := netip.AddrPortFrom(l.Addr, l.Port); got != tt.want {
				t.Errorf("listener = %v, want %v", got, tt.want)
			}
			// The destinations are kept unmapped: a v4-mapped peer counts as IPv4.
			flow := audit.Flow{Local: netip.MustParseAddr("127.0.0.1"), Remote: tt.want.Addr().Unmap(), RemotePort: tt.want.Port()}
			if tt.ipv6 {
				flow.Local = netip.MustParseAddr("::1")
			}
			if d := cmp.Diff(map[audit.Flow]audit.FlowUse{flow: {Sockets: 1}}, c.Ephemeral, addrCmp); d != "" {
				t.Errorf("remote address (-want +got):\n%s", d)
			}
		})
	}
}

// TestParseTCPStates counts every code 01..0D by name and anything else as
// unknown.
func TestParseTCPStates(t *testing.T) {
	var lines []string
	want := map[string]int{}
	for code := 1; code <= 0x0D; code++ {
		lines = append(lines, fullLine(len(lines), "0100007F:0050", "0100007F:A000", fmt.Sprintf("%02X", code), "00000000", uint64(100+code)))
		want[audit.State(code).String()]++
	}
	for _, code := range []string{"00", "0E", "7f", "FF"} {
		lines = append(lines, fullLine(len(lines), "0100007F:0050", "0100007F:A000", code, "00000000", 1))
	}
	c := parseTCPString(t, tcpFile(tcp4Header, lines...), false, 1, 0)
	if d := cmp.Diff(want, c.ByState()); d != "" {
		t.Errorf("states (-want +got):\n%s", d)
	}
	if c.Unknown != 4 || c.Total() != 0x0D+4 {
		t.Errorf("unknown = %d, total = %d; want 4 and %d", c.Unknown, c.Total(), 0x0D+4)
	}
	for _, name := range []string{"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
		"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"} {
		if want[name] != 1 {
			t.Errorf("state name %s not produced", name)
		}
	}
}

// TestParseTCPMinisocks reads the short lines of timewait minisocks: st 06
// is TIME_WAIT, st 05 an orphaned FIN_WAIT2 held as a minisock
// (docs/kernel-facts.md §1), and request socks print SYN_RECV (03), never 0C.
func TestParseTCPMinisocks(t *testing.T) {
	tw := twLine(0, hexLo+":9000", hexLo+":0050")
	fw2 := strings.Replace(twLine(1, hexLo+":9001", hexLo+":0050"), " 06 ", " 05 ", 1)
	req := reqLine(2, hexLo+":0050", hexLo+":9002")
	c := parseTCPString(t, tcpFile(tcp4Header, tw, fw2, req), false, 1, 0)
	if d := cmp.Diff(map[string]int{"TIME_WAIT": 1, "FIN_WAIT2": 1, "SYN_RECV": 1}, c.ByState()); d != "" {
		t.Errorf("states (-want +got):\n%s", d)
	}
}
