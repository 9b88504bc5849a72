package rules

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/audit"
)

const tcpBuffersWhy = `TCP autotuning grows each connection's receive and send buffers up ` +
	`to the third field of tcp_rmem and tcp_wmem (bytes). A connection can have at most ` +
	`about one buffer of data in flight per round trip, so a 6 MiB ceiling caps one flow ` +
	`to about 500 Mbit/s at most on a 100 ms path. These maxima cap autotuning only: buffers an ` +
	`application sets with SO_RCVBUF or SO_SNDBUF are bounded by net.core.rmem_max and ` +
	`wmem_max instead, and setting them turns autotuning off for that socket. The ` +
	`defaults of the maxima depend on RAM.`

func tcpBufferLimitsLow() Rule {
	return Rule{
		ID:       "tcp-buffer-limits-low",
		Title:    "TCP autotuning maxima are below the profile's",
		Category: Performance,
		Severity: Info,
		Keys:     []string{"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"},
		Params: []Param{
			{Name: "min_rmem", Kind: IntParam, Doc: "lowest tcp_rmem max (third field, bytes) that passes"},
			{Name: "min_wmem", Kind: IntParam, Doc: "lowest tcp_wmem max (third field, bytes) that passes"},
		},
		Explanation: tcpBuffersWhy,
		References: []string{
			"Documentation/networking/ip-sysctl.rst tcp_rmem, tcp_wmem",
			"net/ipv4/tcp.c tcp_init (defaults by RAM)",
		},
		Check: checkTCPBuffers,
	}
}

func checkTCPBuffers(f *audit.Facts, p Params) []Finding {
	var out []Finding
	for _, b := range []struct{ key, param string }{{"net.ipv4.tcp_rmem", "min_rmem"}, {"net.ipv4.tcp_wmem", "min_wmem"}} {
		v, err := f.SysctlInts(b.key)
		if err != nil || len(v) != 3 || v[2] >= p.Int(b.param) {
			continue
		}
		want := p.Int(b.param)
		out = append(out, Finding{
			Title:       fmt.Sprintf("%s max is %d bytes, below %d", b.key, v[2], want),
			Observed:    fmt.Sprintf("%s = %d %d %d", b.key, v[0], v[1], v[2]),
			Evidence:    Evidence{"value": float64(v[2]), "threshold": float64(want)},
			Expected:    fmt.Sprintf("%s third field >= %d", b.key, want),
			Explanation: tcpBuffersWhy,
			Fix:         Fix{Sysctl: map[string]string{b.key: fmt.Sprintf("%d %d %d", v[0], v[1], want)}},
		})
	}
	return out
}
