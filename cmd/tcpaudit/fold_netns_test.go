package main

import (
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestAllNetnsTextKeepsEachValue: two namespaces made by the test with
// different fin_timeout and somaxconn values each show their own value in
// the text of `check --all-netns`; neither is folded under the other's.
func TestAllNetnsTextKeepsEachValue(t *testing.T) {
	ip := netnsPrereqs(t)
	values := map[string][]string{nstest.New(t): {"120", "64"}, nstest.New(t): {"200", "32"}}
	for ns, v := range values {
		nsRun(t, ip, ns, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout="+v[0], "net.core.somaxconn="+v[1])
	}
	_, out, errOut := runCLI(t, "check", "--all-netns", "--no-color")
	for _, v := range values {
		for _, want := range []string{"observed  net.ipv4.tcp_fin_timeout = " + v[0], "observed  net.core.somaxconn = " + v[1]} {
			if !strings.Contains(out, want) {
				t.Errorf("want %q in:\n%s%s", want, out, errOut)
			}
		}
	}
}
