package rules_test

import (
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestTwReuseByProfile: servers accept 1 and 2 (the default, loopback
// only); client-heavy wants 1. tw-reuse-needs-timestamps fails only when
// reuse is on and timestamps are off.
func TestTwReuseByProfile(t *testing.T) {
	tests := []struct {
		profile, reuse, timestamps string
		reuseFails, tsFails        bool
	}{
		{"baseline", "2", "1", false, false},
		{"baseline", "0", "1", true, false},
		{"baseline", "0", "0", true, false},
		{"baseline", "1", "0", false, true},
		{"client-heavy", "2", "1", true, false},
		{"client-heavy", "1", "1", false, false},
		{"client-heavy", "2", "0", true, true},
	}
	for _, tc := range tests {
		f := audit.NewFacts(audit.Facts{Sysctls: map[string]string{"net.ipv4.tcp_tw_reuse": tc.reuse, "net.ipv4.tcp_timestamps": tc.timestamps}})
		if got := len(check(t, tc.profile, "tw-reuse", f)) > 0; got != tc.reuseFails {
			t.Errorf("%s, tw_reuse %s: tw-reuse fails %v, want %v", tc.profile, tc.reuse, got, tc.reuseFails)
		}
		if got := len(check(t, tc.profile, "tw-reuse-needs-timestamps", f)) > 0; got != tc.tsFails {
			t.Errorf("%s, tw_reuse %s, timestamps %s: tw-reuse-needs-timestamps fails %v, want %v",
				tc.profile, tc.reuse, tc.timestamps, got, tc.tsFails)
		}
	}
}
