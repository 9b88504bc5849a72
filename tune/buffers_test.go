package tune

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// readInfo decodes a struct tcp_info recorded from a live socket
// (getsockopt TCP_INFO fills the same struct as INET_DIAG_INFO), as hex.
func readInfo(t *testing.T, name string) audit.TCPInfo {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tcpinfo", name))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return audit.DecodeTCPInfo(raw)
}

// TestBDPRecorded: the BDP and the proposed maximum from tcp_info values
// recorded during bulk transfers on loopback, worked out by hand.
func TestBDPRecorded(t *testing.T) {
	for _, tc := range []struct {
		file     string
		rtt      time.Duration
		rate     float64
		sum      string // as printed, exact
		need     int64
		proposed string
	}{
		// 4,092,687,500 bytes/s × 317 µs = 1,297,381.9375; × 2 = 2,594,763.875.
		{"loopback-bulk-a.hex", 317 * time.Microsecond, 4092687500,
			"BDP 1,297,381.9375 bytes × 2 = 2,594,763.875 bytes, rounded up to 2,594,764 bytes", 2594764, ""},
		// 10,913,833,333 bytes/s × 2,658 µs = 29,008,968.999114; × 2 = 58,017,937.998228.
		{"loopback-bulk-b.hex", 2658 * time.Microsecond, 10913833333,
			"BDP 29,008,968.999114 bytes × 2 = 58,017,937.998228 bytes, rounded up to 58,017,938 bytes", 58017938, "4096 16384 58017938"},
	} {
		info := readInfo(t, tc.file)
		b := SendBDP(audit.FlowLoad{Info: info, Sent: info.BytesAcked}, 0)
		if b.RTT != tc.rtt || b.Rate != tc.rate || b.From != "delivery_rate" {
			t.Errorf("%s: rtt %s rate %.0f from %s, want %s %.0f delivery_rate", tc.file, b.RTT, b.Rate, b.From, tc.rtt, tc.rate)
		}
		s := series{obs: []audit.Observation{{
			Sysctls: map[string]string{keyWmem: "4096 16384 4194304"},
			Flows:   []audit.FlowLoad{{Info: info, Sent: info.BytesAcked}},
		}}}
		p := s.bufferMax(keyWmem, b, s.obs[0].Flows[0], 1, true)
		if p.Inputs["need_bytes"] != tc.need || p.Proposed != tc.proposed {
			t.Errorf("%s: need %v proposed %q, want %d %q", tc.file, p.Inputs["need_bytes"], p.Proposed, tc.need, tc.proposed)
		}
		if !strings.Contains(p.Formula, tc.sum) {
			t.Errorf("%s: formula %q lacks %q", tc.file, p.Formula, tc.sum)
		}
	}
}

// TestSendBDPIdle: a flow that sent nothing in the interval (a connection
// waiting in an accept queue has a pacing rate all the same) has no BDP.
func TestSendBDPIdle(t *testing.T) {
	f := audit.FlowLoad{Info: audit.TCPInfo{RTT: 10 * time.Microsecond, PacingRate: 93_646_080_000}}
	if b := SendBDP(f, time.Second); b.Bytes != 0 {
		t.Errorf("bdp %v for a flow that sent nothing", b.Bytes)
	}
	f.Sent = 1_000_000
	if b := SendBDP(f, 500*time.Millisecond); b.From != "throughput" || b.Rate != 2_000_000 {
		t.Errorf("rate %v from %s, want 2,000,000 bytes/s of throughput", b.Rate, b.From)
	}
}

// TestRecvBDP: the receive side is the bytes received over the interval ×
// the receiver's RTT estimate, else the smoothed RTT.
func TestRecvBDP(t *testing.T) {
	f := audit.FlowLoad{Received: 1_000_000, Info: audit.TCPInfo{RcvRTT: 2 * time.Millisecond, RTT: time.Millisecond}}
	if b := RecvBDP(f, 500*time.Millisecond); b.Rate != 2_000_000 || b.Bytes != 4000 {
		t.Errorf("rate %v bdp %v, want 2,000,000 and 4,000", b.Rate, b.Bytes)
	}
	f.Info.RcvRTT = 0
	if b := RecvBDP(f, 500*time.Millisecond); b.Bytes != 2000 {
		t.Errorf("bdp %v without tcpi_rcv_rtt, want 2,000 from tcpi_rtt", b.Bytes)
	}
}
