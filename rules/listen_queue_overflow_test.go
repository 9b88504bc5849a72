package rules_test

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestListenQueueOverflow: a listener whose accept queue reached its limit
// (the backlog when the census source knows it, else somaxconn, which caps
// every backlog) is critical; drops counted since boot alone are a warning.
func TestListenQueueOverflow(t *testing.T) {
	tests := []struct {
		name           string
		queue, backlog uint32
		drops          int64
		want           []string
	}{
		{"idle", 0, 0, 0, nil},
		{"below somaxconn", 4095, 0, 0, nil},
		{"at somaxconn", 4096, 0, 0, []string{"critical"}},
		{"over a known backlog", 129, 128, 0, []string{"critical"}},
		{"below a known backlog", 100, 128, 0, nil},
		{"drops since boot", 0, 0, 5, []string{"warning"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := audit.NewCensus(32768, 60999)
			c.Add(&audit.Socket{Local: netip.IPv4Unspecified(), LocalPort: 8080, State: audit.Listen,
				RxQueue: tc.queue, Backlog: tc.backlog})
			f := audit.NewFacts(audit.Facts{
				Census:   c,
				Sysctls:  map[string]string{"net.core.somaxconn": "4096"},
				Counters: audit.Counters{"TcpExt": {"ListenOverflows": tc.drops, "ListenDrops": tc.drops}},
			}, audit.SourceSockets, audit.SourceNetstat, audit.SourceSNMP)
			if diff := cmp.Diff(tc.want, severities(check(t, "baseline", "listen-queue-overflow", f))); diff != "" {
				t.Errorf("severities (-want +got):\n%s", diff)
			}
		})
	}
}
