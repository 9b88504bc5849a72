package tune

import (
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestBuffersUnacceptedFlow: tcp_info recorded (getsockopt TCP_INFO, hex)
// from a loopback client whose listener never accepts, after
// shutdown(SHUT_WR): FIN_WAIT2, tcpi_bytes_acked 2 (the SYN and the FIN),
// no data, yet a delivery rate of 8,770,877 bytes/s sampled on the FIN's
// ACK. Whether the interval saw the FIN (1 byte) or the whole connection
// (2), the flow sizes no buffer: all four keys are insufficient data, and
// say why.
func TestBuffersUnacceptedFlow(t *testing.T) {
	info := readInfo(t, "unaccepted-fin.hex")
	if info.BytesAcked != 2 || info.BytesReceived != 0 || info.DeliveryRate != 8770877 || info.SndMSS != 32768 {
		t.Fatalf("recording: bytes_acked %d received %d delivery_rate %d snd_mss %d, want 2 0 8770877 32768",
			info.BytesAcked, info.BytesReceived, info.DeliveryRate, info.SndMSS)
	}
	for _, sent := range []uint64{1, info.BytesAcked} {
		f := audit.FlowLoad{Info: info, Sent: sent}
		if b := SendBDP(f, time.Second); b.Bytes != 0 || b.Rate != 0 {
			t.Errorf("sent %d: BDP %v bytes at %v bytes/s, want none", sent, b.Bytes, b.Rate)
		}
		obs := audit.Observation{Interval: time.Second, Flows: []audit.FlowLoad{f},
			Sysctls: map[string]string{keyWmem: "4096 16384 4194304", keyWmemMax: "4194304", keyRmem: "4096 131072 6291456", keyRmemMax: "212992"}}
		s := series{obs: []audit.Observation{obs, obs}}
		for _, p := range s.buffers() {
			if p.Verdict != InsufficientData || !strings.Contains(p.Formula, "moved 10 segments of its MSS") {
				t.Errorf("sent %d: %s: %s %q, want insufficient data for fewer than 10 segments", sent, p.Key, p.Verdict, p.Formula)
			}
			if send := p.Key == keyWmem || p.Key == keyWmemMax; send && !strings.Contains(p.Formula, "2 flow readings moved less") {
				t.Errorf("sent %d: %s: %q does not count the 2 short flow readings", sent, p.Key, p.Formula)
			}
		}
	}
	// One initial window of its MSS is enough: the recorded rate sizes it.
	f := audit.FlowLoad{Info: info, Sent: MinSegments * uint64(info.SndMSS)}
	if b := SendBDP(f, time.Second); b.Rate != 8770877 || b.From != "delivery_rate" {
		t.Errorf("sent 10 × MSS: rate %v from %q, want 8770877 from delivery_rate", b.Rate, b.From)
	}
}

// formulaSum reads the arithmetic of a buffer proposal.
var formulaSum = regexp.MustCompile(`([\d,]+) bytes/s \([\d.]+ Mbit/s\) × RTT ([\d.]+) ms = BDP ([\d,.]+) bytes × 2 = ([\d,.]+) bytes(?:, rounded up to ([\d,]+) bytes)?;`)

// TestBufferArithmeticExact: whatever the rate and the RTT, the numbers a
// proposal prints add up: rate × RTT is the BDP, twice that the sum, and
// the value needed the sum rounded up (never 0 × 2 = 1).
func TestBufferArithmeticExact(t *testing.T) {
	a, b := readInfo(t, "loopback-bulk-a.hex"), readInfo(t, "loopback-bulk-b.hex")
	for _, tc := range []struct {
		name     string
		f        audit.FlowLoad
		interval time.Duration
	}{
		{"recorded bulk a", audit.FlowLoad{Info: a, Sent: a.BytesAcked}, time.Second},
		{"recorded bulk b", audit.FlowLoad{Info: b, Sent: b.BytesAcked}, time.Second},
		{"a tiny delivery rate", audit.FlowLoad{Info: audit.TCPInfo{RTT: 14 * time.Microsecond, DeliveryRate: 3, SndMSS: 65483}, Sent: 654830}, time.Second},
		{"throughput over an odd interval", audit.FlowLoad{Info: audit.TCPInfo{RTT: 14 * time.Microsecond, SndMSS: 65483}, Sent: 654830}, 3 * time.Second},
		{"whole bytes", audit.FlowLoad{Info: audit.TCPInfo{RTT: time.Millisecond, SndMSS: 1448}, Sent: 2_000_000}, 500 * time.Millisecond},
	} {
		s := series{obs: []audit.Observation{{Interval: tc.interval, Flows: []audit.FlowLoad{tc.f},
			Sysctls: map[string]string{keyWmem: "4096 16384 4194304"}}}}
		p := s.bufferMax(keyWmem, SendBDP(tc.f, tc.interval), tc.f, 1, true)
		m := formulaSum.FindStringSubmatch(p.Formula)
		if m == nil {
			t.Errorf("%s: no arithmetic in %q", tc.name, p.Formula)
			continue
		}
		rate, rtt, bdp, sum := num(t, m[1]), num(t, m[2]), num(t, m[3]), num(t, m[4])
		if got := new(big.Rat).Mul(rate, new(big.Rat).Quo(rtt, big.NewRat(1000, 1))); got.Cmp(bdp) != 0 {
			t.Errorf("%s: %s bytes/s × %s ms = %s, printed %s", tc.name, m[1], m[2], got.FloatString(9), m[3])
		}
		if got := new(big.Rat).Mul(bdp, big.NewRat(2, 1)); got.Cmp(sum) != 0 {
			t.Errorf("%s: %s × 2 = %s, printed %s", tc.name, m[3], got.FloatString(9), m[4])
		}
		need := sum
		if m[5] != "" {
			need = num(t, m[5])
			if up := new(big.Rat).Sub(need, sum); !need.IsInt() || up.Sign() <= 0 || up.Cmp(big.NewRat(1, 1)) >= 0 {
				t.Errorf("%s: %s rounded up to %s", tc.name, m[4], m[5])
			}
		}
		if want := need.Num().Int64(); !need.IsInt() || p.Inputs["need_bytes"] != want {
			t.Errorf("%s: need_bytes %v, printed %s", tc.name, p.Inputs["need_bytes"], need.FloatString(6))
		}
	}
}

func num(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(strings.ReplaceAll(s, ",", ""))
	if !ok {
		t.Fatalf("not a number: %q", s)
	}
	return r
}
