package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// ctFacts are facts with a conntrack table of count entries of max, the
// given statistics since boot and, when sampled, these deltas over 2 s.
func ctFacts(count, limit int64, stats audit.ConntrackStats, deltas map[string]int64) *audit.Facts {
	ct := &audit.Conntrack{
		Sysctls: map[string]int64{audit.KeyConntrackCount: count, audit.KeyConntrackMax: limit, audit.KeyConntrackBuckets: limit},
		Stats:   stats,
	}
	var s *audit.Sampling
	if deltas != nil {
		s = &audit.Sampling{Samples: 2, Elapsed: 2 * time.Second}
		for _, n := range []string{"drop", "early_drop", "insert_failed"} {
			s.Rates = append(s.Rates, audit.Rate{Section: audit.ConntrackSection, Name: n, Delta: deltas[n], PerSecond: float64(deltas[n]) / 2})
		}
	}
	return audit.NewFacts(audit.Facts{Conntrack: ct, Sampling: s}, audit.SourceConntrack)
}

// TestConntrackPressureSeverities: shares of max and counters, with and
// without samples.
func TestConntrackPressureSeverities(t *testing.T) {
	drops := audit.ConntrackStats{"drop": 50}
	for _, tc := range []struct {
		name string
		f    *audit.Facts
		want []string
	}{
		{"quiet", ctFacts(100, 1000, audit.ConntrackStats{}, nil), nil},
		{"warning share", ctFacts(850, 1000, audit.ConntrackStats{}, nil), []string{"warning"}},
		{"critical share", ctFacts(960, 1000, audit.ConntrackStats{}, nil), []string{"critical"}},
		{"since boot only", ctFacts(100, 1000, drops, nil), []string{"info"}},
		{"flat between samples", ctFacts(100, 1000, drops, map[string]int64{}), nil},
		{"rising between samples", ctFacts(100, 1000, drops, map[string]int64{"insert_failed": 4}), []string{"critical"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, severities(check(t, "baseline", "conntrack-table-pressure", tc.f))); d != "" {
				t.Errorf("severities (-want +got):\n%s", d)
			}
		})
	}
}

// TestConntrackPressureSized: the fix is sized from the peak count and the
// measured rate, with the arithmetic shown and buckets at most 4 entries
// each.
func TestConntrackPressureSized(t *testing.T) {
	f := ctFacts(1000, 1024, audit.ConntrackStats{"drop": 10}, map[string]int64{"drop": 20})
	got := check(t, "baseline", "conntrack-table-pressure", f)
	if len(got) != 1 {
		t.Fatalf("findings %+v, want one", got)
	}
	fd := got[0]
	// 1000 + 10/s × 120 s = 2200; × 2 = 4400 → 8192; buckets max(1024, 2048).
	if !strings.Contains(fd.Fix.Advice, "peak 1000 + 10.0 refused/s × 120 s = 2200; × 2 for headroom = 4400") {
		t.Errorf("advice lacks the arithmetic:\n%s", fd.Fix.Advice)
	}
	want := map[string]string{audit.KeyConntrackMax: "8192", audit.KeyConntrackBuckets: "2048"}
	if d := cmp.Diff(want, fd.Fix.Sysctl); d != "" {
		t.Errorf("fix (-want +got):\n%s", d)
	}
	if fd.Evidence["delta"] != 20 || fd.Evidence["since_boot"] != 10 {
		t.Errorf("evidence %v", fd.Evidence)
	}
}

// TestConntrackTimeoutsKubernetes: kube-proxy's settings pass the
// kubernetes-node profile and are reported by baseline's close_wait check.
func TestConntrackTimeoutsKubernetes(t *testing.T) {
	ct := &audit.Conntrack{Sysctls: map[string]int64{
		audit.ConntrackTimeoutKey("established"): 86400, audit.ConntrackTimeoutKey("close_wait"): 3600,
		audit.ConntrackTimeoutKey("time_wait"): 120,
	}}
	sys := map[string]string{"net.ipv4.tcp_keepalive_time": "7200", "net.ipv4.tcp_keepalive_intvl": "75", "net.ipv4.tcp_keepalive_probes": "9"}
	f := audit.NewFacts(audit.Facts{Conntrack: ct, Sysctls: sys}, audit.SourceConntrack)
	if got := check(t, "kubernetes-node", "conntrack-tcp-timeouts", f); len(got) != 0 {
		t.Errorf("kubernetes-node: %+v, want kube-proxy's settings accepted", got)
	}
	got := check(t, "baseline", "conntrack-tcp-timeouts", f)
	if len(got) != 1 || got[0].Severity != rules.Info || !strings.Contains(got[0].Observed, "not the socket's CLOSE_WAIT") {
		t.Errorf("baseline: %+v, want one info finding about close_wait", got)
	}
}
