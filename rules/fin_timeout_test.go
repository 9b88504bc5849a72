package rules_test

import (
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestFinTimeout: the kernel default 60 passes baseline; web-server asks
// for 30 at most; the fix sets the profile's maximum.
func TestFinTimeout(t *testing.T) {
	tests := []struct {
		profile, value string
		fails          bool
	}{
		{"baseline", "60", false},
		{"baseline", "61", true},
		{"web-server", "30", false},
		{"web-server", "60", true},
	}
	for _, tc := range tests {
		f := audit.NewFacts(audit.Facts{Sysctls: map[string]string{"net.ipv4.tcp_fin_timeout": tc.value}})
		got := check(t, tc.profile, "fin-timeout", f)
		if (len(got) > 0) != tc.fails {
			t.Errorf("%s, tcp_fin_timeout %s: %d findings, want failure %v", tc.profile, tc.value, len(got), tc.fails)
		}
		for _, fd := range got {
			want := map[string]string{"baseline": "60", "web-server": "30"}[tc.profile]
			if fd.Fix.Sysctl["net.ipv4.tcp_fin_timeout"] != want {
				t.Errorf("%s: fix %v, want tcp_fin_timeout = %s", tc.profile, fd.Fix.Sysctl, want)
			}
		}
	}
}
