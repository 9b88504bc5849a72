package rules_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestFinTimeout: every built-in profile passes the kernel default 60 and
// fails anything above it, and the fix sets 60, which no profile rejects.
func TestFinTimeout(t *testing.T) {
	for _, profile := range profiles.Names() {
		for value, fails := range map[string]bool{"30": false, "60": false, "61": true, "120": true} {
			f := audit.NewFacts(audit.Facts{Sysctls: map[string]string{"net.ipv4.tcp_fin_timeout": value}})
			got := check(t, profile, "fin-timeout", f)
			if (len(got) > 0) != fails {
				t.Errorf("%s, tcp_fin_timeout %s: %d findings, want failure %v", profile, value, len(got), fails)
			}
			for _, fd := range got {
				if fd.Fix.Sysctl["net.ipv4.tcp_fin_timeout"] != "60" {
					t.Errorf("%s: fix %v, want tcp_fin_timeout = 60", profile, fd.Fix.Sysctl)
				}
			}
		}
	}
}

// TestFinTimeoutText pins what a finding says an orphan costs: above 60 s
// a full socket for T - 60 s, then a timewait entry for another T - 60 s;
// at 60 s or less (a user profile's stricter maximum) the entry alone, for
// T. Either way it says that TIME_WAIT is not shortened.
func TestFinTimeoutText(t *testing.T) {
	tests := []struct {
		value, max    int64
		want, notWant []string
	}{
		{120, 60, []string{"full socket, with its buffers, for 60 s", "another 60 s: 120 s in all"}, []string{"for 120 s"}},
		{90, 60, []string{"full socket, with its buffers, for 30 s", "another 30 s: 60 s in all"}, nil},
		{61, 60, []string{"for 1 s (the time above 60 s)", "another 1 s: 2 s in all"}, nil},
		{45, 30, []string{"small FIN_WAIT2 timewait entry for 45 s", "never held as a full socket"}, []string{"above 60", "full socket, with"}},
	}
	r, _ := rules.Lookup("fin-timeout")
	for _, tc := range tests {
		f := audit.NewFacts(audit.Facts{Sysctls: map[string]string{"net.ipv4.tcp_fin_timeout": strconv.FormatInt(tc.value, 10)}})
		got := r.Check(f, rules.Params{"max": tc.max})
		if len(got) != 1 {
			t.Fatalf("tcp_fin_timeout %d, max %d: %d findings, want 1", tc.value, tc.max, len(got))
		}
		text := got[0].Explanation
		for _, w := range append(tc.want, "does not shorten TIME_WAIT") {
			if !strings.Contains(text, w) {
				t.Errorf("tcp_fin_timeout %d: text lacks %q:\n%s", tc.value, w, text)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(text, w) {
				t.Errorf("tcp_fin_timeout %d: text says %q:\n%s", tc.value, w, text)
			}
		}
	}
}
