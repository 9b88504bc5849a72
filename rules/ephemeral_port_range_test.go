package rules_test

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestPortRangeFixReservesListeners: widening the range to take in a
// listening port reserves that port, keeping the ports already reserved.
func TestPortRangeFixReservesListeners(t *testing.T) {
	c := audit.NewCensus(50000, 50100)
	for _, port := range []uint16{22, 40000, 50050} {
		c.Add(&audit.Socket{Local: netip.MustParseAddr("0.0.0.0"), LocalPort: port, State: audit.Listen})
	}
	params := rules.Params{"min_ports": int64(16384), "recommended": []int64{10240, 65535}}
	r, _ := rules.Lookup("ephemeral-port-range")
	tests := []struct {
		name     string
		reserved string
		want     map[string]string
	}{
		{"listeners reserved", "", map[string]string{
			"net.ipv4.ip_local_port_range":     "10240 65535",
			"net.ipv4.ip_local_reserved_ports": "40000,50050",
		}},
		{"kept with those reserved", "8080,40000", map[string]string{
			"net.ipv4.ip_local_port_range":     "10240 65535",
			"net.ipv4.ip_local_reserved_ports": "8080,40000,50050",
		}},
		{"nothing to add", "40000,50050", map[string]string{
			"net.ipv4.ip_local_port_range": "10240 65535",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := audit.NewFacts(audit.Facts{Census: c, Sysctls: map[string]string{
				"net.ipv4.ip_local_port_range":     "50000 50100",
				"net.ipv4.ip_local_reserved_ports": tt.reserved,
			}}, audit.SourceSockets)
			got := r.Check(f, params)
			if len(got) != 1 {
				t.Fatalf("findings = %d, want 1", len(got))
			}
			if d := cmp.Diff(tt.want, got[0].Fix.Sysctl); d != "" {
				t.Errorf("fix (-want +got):\n%s", d)
			}
		})
	}
}
