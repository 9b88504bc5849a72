package audit_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// The fuzz targets' seed corpora live in testdata/fuzz/<FuzzName>/ as well.

// FuzzParseTCP checks that ParseTCP never panics, fails exactly where the
// oracle does (same line, wrapping ErrMalformed), and otherwise counts
// exactly the lines the oracle accepts.
func FuzzParseTCP(f *testing.F) {
	f.Add([]byte(tcpFile(tcp4Header, censusLines4...)), false)
	f.Add([]byte(tcpFile(tcp6Header,
		fullLine(0, hexV6Any+":9C41", hexV6Any+":0000", "0A", "00000002", 2),
		twLine(1, hexDoc2+":80F3", hexDoc1+":01BB"),
		reqLine(2, hexV6Lo+":9C41", hexV6Lo+":E000"))), true)
	f.Add([]byte(tcp4Header+"\n"), false)
	f.Add([]byte(tcp4Header+"\r\n   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\r\n"), false)
	f.Add([]byte(""), true)
	f.Fuzz(func(t *testing.T, data []byte, ipv6 bool) {
		const low, high = 32768, 60999
		c := audit.NewCensus(low, high)
		err := audit.ParseTCP(bytes.NewReader(data), ipv6, c)
		want := oracleParseTCP(data, ipv6, low, high)
		if want.errLine != 0 || err != nil {
			var pe *audit.ParseError
			if !errors.As(err, &pe) || pe.Line != want.errLine || !errors.Is(err, audit.ErrMalformed) {
				t.Fatalf("ParseTCP error = %v; the oracle fails at line %d", err, want.errLine)
			}
			return
		}
		compareOracle(t, c, want)
	})
}

func compareOracle(t *testing.T, c *audit.Census, want tcpOracle) {
	t.Helper()
	got := map[audit.State]int{}
	accepted := want.unknown
	for _, n := range want.states {
		accepted += n
	}
	for s := audit.State(1); s <= audit.BoundInactive; s++ {
		if n := c.Count(s); n > 0 {
			got[s] = n
		}
	}
	if d := cmp.Diff(want.states, got); d != "" || c.Unknown != want.unknown || c.Total() != accepted {
		t.Fatalf("states (-oracle +census):\n%s\nunknown %d, oracle %d; total %d, accepted lines %d", d, c.Unknown, want.unknown, c.Total(), accepted)
	}
	var ports []uint16
	for _, l := range c.Listeners {
		ports = append(ports, l.Port)
	}
	if !slices.Equal(ports, want.listen) {
		t.Fatalf("listener ports %v, oracle %v", ports, want.listen)
	}
	sockets, tw := 0, 0
	for _, u := range c.Ephemeral {
		sockets, tw = sockets+u.Sockets, tw+u.TimeWait
	}
	if sockets != want.ephemeral || tw != want.ephTW {
		t.Fatalf("ephemeral %d (TIME_WAIT %d), oracle %d (%d)", sockets, tw, want.ephemeral, want.ephTW)
	}
	if len(c.CloseWaitInodes()) != len(want.closeWait) {
		t.Fatalf("%d CLOSE_WAIT inodes, oracle %d", len(c.CloseWaitInodes()), len(want.closeWait))
	}
	for ino := range c.CloseWaitInodes() {
		if !want.closeWait[ino] {
			t.Fatalf("CLOSE_WAIT inode %d unknown to the oracle", ino)
		}
	}
}

// FuzzParseCounters checks that a parsed file renders back to the same
// counters, and that errors carry a line inside the input.
func FuzzParseCounters(f *testing.F) {
	f.Add([]byte("TcpExt: SyncookiesSent ListenOverflows\nTcpExt: 0 12\nIpExt: InOctets\nIpExt: 18446744073709551615\n"))
	f.Add([]byte("Tcp: RtoAlgorithm MaxConn\nTcp: 1 -1\n"))
	f.Add([]byte("TcpExt: A B\nTcpExt: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := audit.ParseCounters(bytes.NewReader(data))
		if err != nil {
			checkErrLine(t, err, data)
			return
		}
		var b strings.Builder
		for section, m := range c {
			names, values := section+":", section+":"
			for name, v := range m {
				names += " " + name
				values += " " + strconv.FormatInt(v, 10)
			}
			fmt.Fprintf(&b, "%s\n%s\n", names, values)
		}
		again, err := audit.ParseCounters(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", b.String(), err)
		}
		if d := cmp.Diff(c, again); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
	})
}

// FuzzParseSockstat checks the same round trip for sockstat.
func FuzzParseSockstat(f *testing.F) {
	f.Add([]byte("sockets: used 312\nTCP: inuse 27 orphan 2 tw 1043 alloc 35 mem 9\nFRAG: inuse 0 memory 0\n"))
	f.Add([]byte("TCP6: inuse 8\n"))
	f.Add([]byte("TCP: inuse\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := audit.Sockstat{}
		if err := audit.ParseSockstat(bytes.NewReader(data), s); err != nil {
			checkErrLine(t, err, data)
			return
		}
		var b strings.Builder
		for proto, m := range s {
			b.WriteString(proto + ":")
			for k, v := range m {
				fmt.Fprintf(&b, " %s %d", k, v)
			}
			b.WriteString("\n")
		}
		again := audit.Sockstat{}
		if err := audit.ParseSockstat(strings.NewReader(b.String()), again); err != nil {
			t.Fatalf("re-parse of %q: %v", b.String(), err)
		}
		if d := cmp.Diff(s, again); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
	})
}

// checkErrLine requires a *ParseError whose line lies within the input
// (one past the last line for an error at the end).
func checkErrLine(t *testing.T, err error, data []byte) {
	t.Helper()
	var pe *audit.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *ParseError", err)
	}
	if lines := bytes.Count(data, []byte("\n")) + 1; pe.Line < 1 || pe.Line > lines+1 {
		t.Fatalf("error line %d outside the input's %d lines", pe.Line, lines)
	}
}

var releaseRE = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+))?`)

// FuzzParseRelease compares ParseRelease with a regular expression.
func FuzzParseRelease(f *testing.F) {
	for _, s := range []string{"6.1.0-18-amd64", "4.9.0", "5.4", "garbage", "3.10.0-1160.el7.x86_64\n", "6..1", "99999999999999999999.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := audit.ParseRelease(s)
		want := audit.Kernel{Release: strings.TrimSpace(s)}
		if m := releaseRE.FindStringSubmatch(want.Release); m != nil {
			major, err1 := strconv.Atoi(m[1])
			minor, err2 := strconv.Atoi(m[2])
			patch, err := strconv.Atoi(m[3])
			if err != nil {
				patch = 0 // absent or beyond int: the patch level is unknown
			}
			if err1 == nil && err2 == nil {
				want.Major, want.Minor, want.Patch, want.Known = major, minor, patch, true
			}
		}
		if d := cmp.Diff(want, k); d != "" {
			t.Fatalf("ParseRelease(%q) (-want +got):\n%s", s, d)
		}
		if k.Known && (!k.AtLeast(k.Major, k.Minor) || k.Minor < math.MaxInt && k.AtLeast(k.Major, k.Minor+1)) {
			t.Fatalf("%+v: AtLeast disagrees with its own version", k)
		}
	})
}
