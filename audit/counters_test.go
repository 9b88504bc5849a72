package audit_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestParseCounters reads netstat and snmp layouts.
func TestParseCounters(t *testing.T) {
	tests := []struct {
		name string
		data string
		want audit.Counters
	}{
		{
			name: "netstat",
			data: "TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPTimeWaitOverflow\n" +
				"TcpExt: 0 12 14 0\n" +
				"IpExt: InNoRoutes InOctets\n" +
				"IpExt: 0 123456789\n",
			want: audit.Counters{
				"TcpExt": {"SyncookiesSent": 0, "ListenOverflows": 12, "ListenDrops": 14, "TCPTimeWaitOverflow": 0},
				"IpExt":  {"InNoRoutes": 0, "InOctets": 123456789},
			},
		},
		{
			name: "snmp with signed MaxConn",
			data: "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens CurrEstab\n" +
				"Tcp: 1 200 120000 -1 3088 5\n",
			want: audit.Counters{"Tcp": {"RtoAlgorithm": 1, "RtoMin": 200, "RtoMax": 120000, "MaxConn": -1, "ActiveOpens": 3088, "CurrEstab": 5}},
		},
		{
			name: "uint64 beyond int64 is clamped",
			data: "IpExt: InOctets OutOctets\nIpExt: 18446744073709551615 9223372036854775807\n",
			want: audit.Counters{"IpExt": {"InOctets": math.MaxInt64, "OutOctets": math.MaxInt64}},
		},
		{
			name: "blank lines between pairs, tabs",
			data: "\nTcpExt:\tTW\tTWKilled\nTcpExt:\t3\t4\n\n\n",
			want: audit.Counters{"TcpExt": {"TW": 3, "TWKilled": 4}},
		},
		{name: "empty", data: "", want: audit.Counters{}},
		{name: "section without counters", data: "MPTcpExt:\nMPTcpExt:\n", want: audit.Counters{"MPTcpExt": {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := audit.ParseCounters(strings.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestCountersGet distinguishes zero from absent.
func TestCountersGet(t *testing.T) {
	c, err := audit.ParseCounters(strings.NewReader("TcpExt: A B\nTcpExt: 0 7\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		section, name string
		v             int64
		ok            bool
	}{{"TcpExt", "A", 0, true}, {"TcpExt", "B", 7, true}, {"TcpExt", "C", 0, false}, {"Tcp", "A", 0, false}} {
		if v, ok := c.Get(tc.section, tc.name); v != tc.v || ok != tc.ok {
			t.Errorf("Get(%s, %s) = %d, %v; want %d, %v", tc.section, tc.name, v, ok, tc.v, tc.ok)
		}
	}
}

// TestParseCountersErrors checks the line of each kind of mismatch.
func TestParseCountersErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
	}{
		{"no section", "SyncookiesSent 0\n", 1},
		{"names without values", "TcpExt: A B\n", 1},
		{"values of another section", "TcpExt: A B\nIpExt: 1 2\n", 2},
		{"fewer values", "TcpExt: A B C\nTcpExt: 1 2\n", 2},
		{"more values", "TcpExt: A B\nTcpExt: 1 2 3\n", 2},
		{"not a number", "TcpExt: A\nTcpExt: 1\nIpExt: B\nIpExt: x\n", 4},
		{"beyond uint64", "TcpExt: A\nTcpExt: 18446744073709551616\n", 2},
		{"blank value line", "TcpExt: A\n\n", 2},
		{"line too long", "TcpExt: " + strings.Repeat("A", 2<<20) + "\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := audit.ParseCounters(strings.NewReader(tt.data))
			var pe *audit.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", pe.Line, tt.line, err)
			}
		})
	}
}

// TestParseSockstat merges sockstat and sockstat6 into one map.
func TestParseSockstat(t *testing.T) {
	s := audit.Sockstat{}
	v4 := "sockets: used 312\nTCP: inuse 27 orphan 2 tw 1043 alloc 35 mem 9\nUDP: inuse 5 mem 2\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n"
	v6 := "TCP6: inuse 8\nUDP6: inuse 3\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n"
	for _, data := range []string{v4, v6} {
		if err := audit.ParseSockstat(strings.NewReader(data), s); err != nil {
			t.Fatal(err)
		}
	}
	want := audit.Sockstat{
		"sockets": {"used": 312},
		"TCP":     {"inuse": 27, "orphan": 2, "tw": 1043, "alloc": 35, "mem": 9},
		"UDP":     {"inuse": 5, "mem": 2}, "UDPLITE": {"inuse": 0}, "RAW": {"inuse": 0},
		"FRAG": {"inuse": 0, "memory": 0}, "TCP6": {"inuse": 8}, "UDP6": {"inuse": 3},
		"UDPLITE6": {"inuse": 0}, "RAW6": {"inuse": 1}, "FRAG6": {"inuse": 0, "memory": 0},
	}
	if d := cmp.Diff(want, s); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if v, ok := s.Get("TCP", "tw"); v != 1043 || !ok {
		t.Errorf("Get(TCP, tw) = %d, %v", v, ok)
	}
	if _, ok := s.Get("TCP6", "tw"); ok {
		t.Error("Get(TCP6, tw) found a field sockstat6 does not have")
	}
}

// TestParseSockstatErrors checks the line of each malformed line.
func TestParseSockstatErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
	}{
		{"no protocol colon", "TCP inuse 1\n", 1},
		{"key without value", "sockets: used 1\nTCP: inuse 1 orphan\n", 2},
		{"value not a number", "sockets: used 1\n\nTCP: inuse x\n", 3},
		{"beyond int64", "TCP: mem 9223372036854775808\n", 1},
		{"line too long", "TCP: " + strings.Repeat("k 1 ", 20000) + "\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := audit.ParseSockstat(strings.NewReader(tt.data), audit.Sockstat{})
			var pe *audit.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", pe.Line, tt.line, err)
			}
		})
	}
}
