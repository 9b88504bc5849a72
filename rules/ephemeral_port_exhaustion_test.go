package rules_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// params returns a rule's settings in a built-in profile.
func params(t *testing.T, profile, id string) rules.Params {
	t.Helper()
	cfg, err := profiles.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	rc, ok := cfg.Rules[id]
	if !ok {
		t.Fatalf("profile %s does not run %s", profile, id)
	}
	return rc.Params
}

// check runs one rule's Check on f with a built-in profile's settings.
func check(t *testing.T, profile, id string, f *audit.Facts) []rules.Finding {
	t.Helper()
	r, ok := rules.Lookup(id)
	if !ok {
		t.Fatalf("no rule %s", id)
	}
	return r.Check(f, params(t, profile, id))
}

// severities lists the findings' severities.
func severities(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String())
	}
	return out
}

// outgoing adds n sockets from local to remote on ports from port upward,
// the first tw of them in TIME_WAIT.
func outgoing(c *audit.Census, local, remote string, port uint16, n, tw int) {
	dst := netip.MustParseAddrPort(remote)
	for i := 0; i < n; i++ {
		st := audit.Established
		if i < tw {
			st = audit.TimeWait
		}
		c.Add(&audit.Socket{Local: netip.MustParseAddr(local), LocalPort: port + uint16(i),
			Remote: dst.Addr(), RemotePort: dst.Port(), State: st})
	}
}

func TestEphemeralPortExhaustionThresholds(t *testing.T) {
	// 1000 ports, one reserved and one listening inside the range: 998 usable.
	// Baseline warns at 50% and is critical at 80%.
	tests := []struct {
		name    string
		sockets int
		want    []string
	}{
		{"below warning", 498, nil},
		{"at warning", 499, []string{"warning"}},
		{"below critical", 798, []string{"warning"}},
		{"at critical", 799, []string{"critical"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := audit.NewCensus(50000, 50999)
			c.Add(&audit.Socket{Local: netip.IPv4Unspecified(), LocalPort: 50999, State: audit.Listen})
			outgoing(c, "10.0.0.1", "10.0.0.9:5432", 50000, tc.sockets, 0)
			f := audit.NewFacts(audit.Facts{Census: c, Sysctls: map[string]string{
				"net.ipv4.ip_local_port_range":     "50000 50999",
				"net.ipv4.ip_local_reserved_ports": "50998",
			}}, audit.SourceSockets)
			if diff := cmp.Diff(tc.want, severities(check(t, "baseline", "ephemeral-port-exhaustion", f))); diff != "" {
				t.Errorf("severities (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEphemeralPortExhaustionPerFlow: each (local IP, remote IP, remote
// port) has the whole range; the busiest flows are reported, and a flow
// mostly in TIME_WAIT gets tcp_tw_reuse=1 as its fix.
func TestEphemeralPortExhaustionPerFlow(t *testing.T) {
	c := audit.NewCensus(50000, 50999)
	outgoing(c, "10.0.0.1", "10.0.0.9:5432", 50000, 600, 500) // 60%, mostly TIME_WAIT
	outgoing(c, "10.0.0.2", "10.0.0.9:5432", 50000, 400, 0)   // same destination, other source: 40%
	outgoing(c, "10.0.0.1", "10.0.0.9:6379", 50000, 400, 0)   // same source, other port: 40%
	f := audit.NewFacts(audit.Facts{Census: c, Sysctls: map[string]string{"net.ipv4.ip_local_port_range": "50000 50999"}}, audit.SourceSockets)
	got := check(t, "baseline", "ephemeral-port-exhaustion", f)
	if len(got) != 1 {
		t.Fatalf("%d findings, want 1 (only 10.0.0.1 -> 10.0.0.9:5432 is above 50%%): %+v", len(got), got)
	}
	if want := "10.0.0.1 -> 10.0.0.9:5432"; !strings.Contains(got[0].Title, want) {
		t.Errorf("title %q does not name %s", got[0].Title, want)
	}
	if got[0].Fix.Sysctl["net.ipv4.tcp_tw_reuse"] != "1" {
		t.Errorf("fix %v: want tcp_tw_reuse=1 for a flow mostly in TIME_WAIT", got[0].Fix.Sysctl)
	}
}

// TestEphemeralPortExhaustionMappedFlow: an AF_INET6 socket connected to an
// IPv4 peer (::ffff:a.b.c.d) takes its port from the same pool as AF_INET
// sockets toward that peer, so both count toward one flow.
func TestEphemeralPortExhaustionMappedFlow(t *testing.T) {
	c := audit.NewCensus(50000, 50999)
	outgoing(c, "10.0.0.1", "10.0.0.9:5432", 50000, 300, 0)
	outgoing(c, "::ffff:10.0.0.1", "[::ffff:10.0.0.9]:5432", 50300, 300, 0)
	f := audit.NewFacts(audit.Facts{Census: c, Sysctls: map[string]string{"net.ipv4.ip_local_port_range": "50000 50999"}}, audit.SourceSockets)
	got := check(t, "baseline", "ephemeral-port-exhaustion", f)
	if diff := cmp.Diff([]string{"warning"}, severities(got)); diff != "" {
		t.Errorf("600 of 1000 ports toward one IPv4 peer (-want +got):\n%s", diff)
	}
}

// TestEphemeralPortExhaustionTwReuse: TIME_WAIT ports count as reusable
// where tcp_tw_reuse applies (2, the default: loopback only; 1: every
// destination; both need tcp_timestamps): 900 of 1000 ports with 800 in
// TIME_WAIT hold 100 then. Where reuse would free them, tcp_tw_reuse=1 is
// proposed; where it applies already, it is not.
func TestEphemeralPortExhaustionTwReuse(t *testing.T) {
	for _, tc := range []struct {
		name, local, remote, reuse, ts string
		want                           []string
		propose                        bool
	}{
		{"loopback, reuse 2", "127.0.0.1", "127.0.0.1:8080", "2", "1", nil, false},
		{"remote, reuse 2", "10.0.0.1", "10.0.0.9:8080", "2", "1", []string{"critical"}, true},
		{"remote, reuse 1", "10.0.0.1", "10.0.0.9:8080", "1", "1", nil, false},
		{"loopback, reuse 2, no timestamps", "127.0.0.1", "127.0.0.1:8080", "2", "0", []string{"critical"}, true},
		{"loopback, reuse 0", "127.0.0.1", "127.0.0.1:8080", "0", "1", []string{"critical"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := audit.NewCensus(50000, 50999)
			outgoing(c, tc.local, tc.remote, 50000, 900, 800)
			f := audit.NewFacts(audit.Facts{Census: c, Sysctls: map[string]string{
				"net.ipv4.ip_local_port_range": "50000 50999", "net.ipv4.tcp_tw_reuse": tc.reuse, "net.ipv4.tcp_timestamps": tc.ts,
				"net.ipv4.ip_local_reserved_ports": ""}}, audit.SourceSockets)
			got := check(t, "baseline", "ephemeral-port-exhaustion", f)
			if diff := cmp.Diff(tc.want, severities(got)); diff != "" {
				t.Fatalf("severities (-want +got):\n%s", diff)
			}
			for _, fd := range got {
				if _, ok := fd.Fix.Sysctl["net.ipv4.tcp_tw_reuse"]; ok != tc.propose {
					t.Errorf("fix %v: proposes tcp_tw_reuse %v, want %v", fd.Fix.Sysctl, ok, tc.propose)
				}
				if fd.Evidence["count"] != 900 || fd.Evidence["time_wait"] != 800 {
					t.Errorf("evidence %v", fd.Evidence)
				}
			}
		})
	}
}
