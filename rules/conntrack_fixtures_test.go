package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestConntrackTimeoutFixtures: one fixture host per case of
// conntrack-tcp-timeouts (testdata/hosts/gen/conntrack.go), judged with
// the profile named.
func TestConntrackTimeoutFixtures(t *testing.T) {
	const id = "conntrack-tcp-timeouts"
	for _, tc := range []struct {
		host, profile string
		status        rules.Status
		severity      string
		observed      []string
		fix           map[string]string
	}{
		{"conntrack-established-long", "baseline", rules.Failed, "warning",
			[]string{"2592000 s (30.0 days), 329× the host's keepalive of 7875 s"},
			map[string]string{audit.ConntrackTimeoutKey("established"): "86400"}},
		{"conntrack-timeouts-changed", "baseline", rules.Failed, "info",
			[]string{"time_wait is 30 s: the firewall's memory of the flow, not the socket's TIME_WAIT",
				"close_wait is 10 s: the firewall's memory of the flow, not the socket's CLOSE_WAIT"},
			map[string]string{audit.ConntrackTimeoutKey("time_wait"): "120", audit.ConntrackTimeoutKey("close_wait"): "60"}},
		{"kubernetes-node", "baseline", rules.Failed, "info",
			[]string{"close_wait is 3600 s", "what kube-proxy sets, --conntrack-tcp-timeout-close-wait"},
			map[string]string{audit.ConntrackTimeoutKey("close_wait"): "60"}},
		{"kubernetes-node", "kubernetes-node", rules.Passed, "", nil, nil},
		{"healthy", "baseline", rules.Passed, "", nil, nil},
	} {
		t.Run(tc.host+"/"+tc.profile, func(t *testing.T) {
			res := evaluate(t, tc.host, tc.profile)
			if got := status(res, id); got != tc.status {
				t.Fatalf("status %s, want %s", got, tc.status)
			}
			i := slices.IndexFunc(res.Findings, func(f rules.Finding) bool { return f.Rule == id })
			if tc.status == rules.Passed {
				return
			}
			f := res.Findings[i]
			if f.Severity.String() != tc.severity {
				t.Errorf("severity %s, want %s", f.Severity, tc.severity)
			}
			for _, s := range tc.observed {
				if !strings.Contains(f.Observed, s) {
					t.Errorf("observed lacks %q:\n%s", s, f.Observed)
				}
			}
			if d := cmp.Diff(tc.fix, f.Fix.Sysctl); d != "" {
				t.Errorf("fix (-want +got):\n%s", d)
			}
		})
	}
}

// TestConntrackKubernetesNodeTable: kube-proxy's table (131072 entries,
// 5200 in use) passes both profiles; the kubernetes-node profile would
// send a fix to kube-proxy's configuration rather than sysctl.d.
func TestConntrackKubernetesNodeTable(t *testing.T) {
	for _, profile := range []string{"baseline", "kubernetes-node"} {
		if got := status(evaluate(t, "kubernetes-node", profile), "conntrack-table-pressure"); got != rules.Passed {
			t.Errorf("%s: conntrack-table-pressure %s, want passed", profile, got)
		}
	}
}

// TestConntrackModuleAbsentFixture: a host without nf_conntrack loaded
// (no net/stat/nf_conntrack, no net.netfilter keys) skips both conntrack
// rules with that reason.
func TestConntrackModuleAbsentFixture(t *testing.T) {
	res := evaluate(t, "close-wait-leak", "baseline")
	for _, e := range res.Evaluations {
		if !strings.HasPrefix(e.Rule, "conntrack-") {
			continue
		}
		if e.Status != rules.Skipped || !strings.Contains(e.Reason, "conntrack not in use") {
			t.Errorf("%s: %s %q, want skipped as conntrack not in use", e.Rule, e.Status, e.Reason)
		}
	}
}
