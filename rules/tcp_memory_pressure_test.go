package rules_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestTCPMemoryPressureCounters: memory over pressure is a warning now;
// pressure events since boot alone are info; sampled, events that go on
// are a warning and events that stopped clear the finding.
func TestTCPMemoryPressureCounters(t *testing.T) {
	rising := func(d int64) *audit.Sampling {
		return &audit.Sampling{Samples: 2, Elapsed: time.Second, Rates: audit.Rates(
			audit.Counters{"TcpExt": {"TCPMemoryPressures": 7, "TCPAbortOnMemory": 0}},
			audit.Counters{"TcpExt": {"TCPMemoryPressures": 7 + d, "TCPAbortOnMemory": 0}}, time.Second)}
	}
	for _, tc := range []struct {
		name     string
		mem      int64
		sampling *audit.Sampling
		want     []string
	}{
		{"quiet", 100, nil, nil},
		{"over pressure", 1000, nil, []string{"warning"}},
		{"events since boot", 100, nil, []string{"info"}},
		{"events that stopped", 100, rising(0), nil},
		{"events that go on", 100, rising(2), []string{"warning"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pressures := int64(7)
			if tc.name == "quiet" || tc.name == "over pressure" {
				pressures = 0
			}
			f := audit.NewFacts(audit.Facts{
				Sysctls:  map[string]string{"net.ipv4.tcp_mem": "500 1000 2000"},
				Sockstat: audit.Sockstat{"TCP": {"mem": tc.mem}},
				Counters: audit.Counters{"TcpExt": {"TCPMemoryPressures": pressures, "TCPAbortOnMemory": 0}},
				Sampling: tc.sampling,
			}, audit.SourceSockstat, audit.SourceNetstat, audit.SourceSNMP)
			got := check(t, "baseline", "tcp-memory-pressure", f)
			if d := cmp.Diff(tc.want, severities(got)); d != "" {
				t.Errorf("severities (-want +got):\n%s", d)
			}
		})
	}
}
