package audit_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// syntheticTCP returns a padded /proc/net/tcp with n socket lines: 16
// listeners first, then a busy proxy's mix of ESTABLISHED, TIME_WAIT and
// CLOSE_WAIT (one in 100) sockets towards 8 destinations.
func syntheticTCP(n int) []byte {
	var b strings.Builder
	b.WriteString(fmt.Sprintf("%-149s\n", tcp4Header))
	for i := range n {
		var line string
		switch {
		case i < 16:
			line = fullLine(i, fmt.Sprintf("00000000:%04X", 8000+i), hexAny+":0000", "0A", "00000000", uint64(1000+i))
		case i%100 == 0:
			line = fullLine(i, fmt.Sprintf("%s:%04X", hex10_1, 8000+i%16), fmt.Sprintf("0%d00000A:%04X", 2+i%8, 32768+i%28000), "08", "00000000", uint64(1000+i))
		case i%3 == 0:
			line = twLine(i, fmt.Sprintf("%s:%04X", hex10_1, 32768+i%28000), fmt.Sprintf("0%d00000A:01BB", 2+i%8))
		default:
			line = fullLine(i, fmt.Sprintf("%s:%04X", hex10_1, 32768+i%28000), fmt.Sprintf("0%d00000A:01BB", 2+i%8), "01", "00000000", uint64(1000+i))
		}
		b.WriteString(pad4(line))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// BenchmarkParseTCP parses a 100k-line file held in memory and reports the
// cost per line; allocs/line must stay near 0 (only the census maps grow).
func BenchmarkParseTCP(b *testing.B) {
	const lines = 100_000
	data := syntheticTCP(lines)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		c := audit.NewCensus(32768, 60999)
		if err := audit.ParseTCP(bytes.NewReader(data), false, c); err != nil {
			b.Fatal(err)
		}
		if c.Total() != lines {
			b.Fatalf("total %d, want %d", c.Total(), lines)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	perLine := float64(b.N) * lines
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perLine, "ns/line")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/perLine, "allocs/line")
}

// BenchmarkCensusAdd adds sockets to a warm census: no allocation per add.
func BenchmarkCensusAdd(b *testing.B) {
	c := audit.NewCensus(32768, 60999)
	c.Add(&audit.Socket{State: audit.Listen, Local: ipAny4, LocalPort: 80})
	socks := make([]audit.Socket, 1024)
	for i := range socks {
		socks[i] = audit.Socket{
			Local: ip10_1, LocalPort: uint16(32768 + i), Remote: netip.AddrFrom4([4]byte{10, 0, 0, byte(2 + i%8)}),
			RemotePort: 443, State: []audit.State{audit.Established, audit.TimeWait, audit.CloseWait}[i%3], Inode: uint64(i),
		}
	}
	b.ReportAllocs()
	for i := range b.N {
		c.Add(&socks[i%len(socks)])
	}
}

// TestParseTCPAllocsDoNotGrowWithLines checks the streaming promise: parsing
// ten times more lines (with the same destinations and no CLOSE_WAIT)
// allocates no more.
func TestParseTCPAllocsDoNotGrowWithLines(t *testing.T) {
	small, large := noCloseWait(1_000), noCloseWait(10_000)
	allocs := func(data []byte) float64 {
		return testing.AllocsPerRun(5, func() {
			c := audit.NewCensus(32768, 60999)
			if err := audit.ParseTCP(bytes.NewReader(data), false, c); err != nil {
				t.Fatal(err)
			}
		})
	}
	if a, b := allocs(small), allocs(large); b > a {
		t.Errorf("1k lines: %.0f allocs, 10k lines: %.0f allocs; want no growth", a, b)
	}
}

// noCloseWait is syntheticTCP without CLOSE_WAIT sockets, whose inode set
// grows by design.
func noCloseWait(n int) []byte {
	return bytes.ReplaceAll(syntheticTCP(n), []byte(" 08 00000000:"), []byte(" 01 00000000:"))
}
