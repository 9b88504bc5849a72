package audit_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestParseTCPErrors checks that malformed input is a *ParseError with the
// line that is wrong, wrapping ErrMalformed, and never a panic.
func TestParseTCPErrors(t *testing.T) {
	ok := fullLine(0, hexLo+":0050", hexAny+":0000", "0A", "00000000", 1)
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name string
		data string
		ipv6 bool
		line int
	}{
		{"empty file", "", false, 1},
		{"only a newline", "\n", false, 1},
		{"missing header", ok + "\n", false, 1},
		{"non-hex address", tcpFile(tcp4Header, ok, fullLine(1, "0100007G:0050", hexAny+":0000", "01", "00000000", 2)), false, 3},
		{"non-hex port", tcpFile(tcp4Header, fullLine(1, hexLo+":00Z0", hexAny+":0000", "01", "00000000", 2)), false, 2},
		{"five-digit port", tcpFile(tcp4Header, fullLine(1, hexLo+":00500", hexAny+":0000", "01", "00000000", 2)), false, 2},
		{"IPv4 address in tcp6", tcpFile(tcp6Header, ok), true, 2},
		{"IPv6 address in tcp", tcpFile(tcp4Header, fullLine(1, hexV6Lo+":0050", hexV6Any+":0000", "0A", "00000000", 2)), false, 2},
		{"state of three digits", tcpFile(tcp4Header, fullLine(1, hexLo+":0050", hexAny+":0000", "00A", "00000000", 2)), false, 2},
		{"state not hex", tcpFile(tcp4Header, fullLine(1, hexLo+":0050", hexAny+":0000", "0X", "00000000", 2)), false, 2},
		{"rx_queue not hex", tcpFile(tcp4Header, fullLine(1, hexLo+":0050", hexAny+":0000", "0A", "0000000Q", 2)), false, 2},
		{"no sl colon", tcpFile(tcp4Header, strings.Replace(ok, "0:", "0 ", 1)), false, 2},
		{"nine columns", tcpFile(tcp4Header, ok, "   1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0"), false, 3},
		{"three columns", tcpFile(tcp4Header, "   0: 0100007F:0050 00000000:0000"), false, 2},
		{"uid negative", tcpFile(tcp4Header, strings.Replace(ok, " 1000 ", " -1000 ", 1)), false, 2},
		{"inode not decimal", tcpFile(tcp4Header, strings.Replace(ok, " 1 1 ", " 0x1 1 ", 1)), false, 2},
		{"inode 2^64", tcpFile(tcp4Header, strings.Replace(ok, " 1 1 ", " 18446744073709551616 1 ", 1)), false, 2},
		{"inode wraps past 2^64", tcpFile(tcp4Header, strings.Replace(ok, " 1 1 ", " 30000000000000000000 1 ", 1)), false, 2},
		{"over-long line", tcpFile(tcp4Header, ok, ok+" "+long), false, 3},
		{"line over the read buffer", tcpFile(tcp4Header, strings.Repeat("y", 70000)), false, 2},
		{"blank lines still count", tcpFile(tcp4Header, "", "   ", "garbage"), false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := audit.NewCensus(32768, 60999)
			err := audit.ParseTCP(strings.NewReader(tt.data), tt.ipv6, c)
			var pe *audit.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", pe.Line, tt.line, err)
			}
			if !errors.Is(err, audit.ErrMalformed) {
				t.Errorf("err = %v, want it to wrap ErrMalformed", err)
			}
		})
	}
}

// TestParseTCPAcceptsKernelVariants checks inputs the kernel does produce:
// no trailing newline, CRLF from a copied snapshot, blank lines, a header
// alone, extra trailing columns.
func TestParseTCPAcceptsKernelVariants(t *testing.T) {
	line := fullLine(0, hexLo+":0050", hexAny+":0000", "0A", "00000000", 1)
	tests := []struct {
		name  string
		data  string
		total int
	}{
		{"header only", tcp4Header + "\n", 0},
		{"header without newline", tcp4Header, 0},
		{"no final newline", tcp4Header + "\n" + line, 1},
		{"CRLF", tcp4Header + "\r\n" + line + "\r\n", 1},
		{"blank lines", tcp4Header + "\n\n" + line + "\n   \n", 1},
		{"padded", tcpFile(tcp4Header, pad4(line), pad4(line)), 2},
		{"extra columns", tcpFile(tcp4Header, line+" 7 8 9"), 1},
		{"TIME_WAIT and request socks", tcpFile(tcp4Header, twLine(0, hexLo+":9000", hexLo+":0050"), reqLine(1, hexLo+":0050", hexLo+":9001")), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseTCPString(t, tt.data, false, 1, 0)
			if c.Total() != tt.total {
				t.Errorf("total = %d, want %d", c.Total(), tt.total)
			}
		})
	}
}

// TestParseErrorMessage checks the message a user sees.
func TestParseErrorMessage(t *testing.T) {
	err := &audit.ParseError{File: "/proc/net/tcp", Line: 7, Err: errors.New("bad")}
	if got, want := err.Error(), "/proc/net/tcp:7: bad"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err.Line = 0
	if got, want := err.Error(), "/proc/net/tcp: bad"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
