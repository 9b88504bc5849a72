package rules_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// judged runs somaxconn-low on f with a built-in profile's settings and
// severity, and returns the severity of its finding ("" for none) and the
// finding.
func judged(t *testing.T, profile string, f *audit.Facts) (string, rules.Finding) {
	t.Helper()
	cfg, err := profiles.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := rules.Lookup("somaxconn-low")
	found := r.Check(f, cfg.Rules[r.ID].Params)
	rules.Judge(r, cfg.Rules[r.ID], found)
	if len(found) == 0 {
		return "", rules.Finding{}
	}
	return found[0].Severity.String(), found[0]
}

// TestSomaxconnLow: from Linux 5.4 on, a value below the kernel's default
// of 4096 is a finding in every profile (informational in baseline,
// hardened and high-throughput, a warning where hosts accept or proxy many
// connections); before 5.4 only the profile's floor counts. Below 128 it is
// a warning everywhere, and the fix is 4096 on both generations.
func TestSomaxconnLow(t *testing.T) {
	all := func(sev string) map[string]string {
		m := map[string]string{}
		for _, n := range profiles.Names() {
			m[n] = sev
		}
		return m
	}
	newBelow := map[string]string{"baseline": "info", "hardened": "info", "high-throughput": "info",
		"web-server": "warning", "client-heavy": "warning", "kubernetes-node": "warning"}
	oldFloor := map[string]string{"baseline": "", "hardened": "", "high-throughput": "", "client-heavy": "",
		"web-server": "warning", "kubernetes-node": "warning"}
	tests := []struct {
		release, value string
		want           map[string]string
	}{
		{"6.12.48+deb13-amd64", "4096", all("")},
		{"6.12.48+deb13-amd64", "1024", newBelow},
		{"5.4.0-1-amd64", "128", newBelow},
		{"6.12.48+deb13-amd64", "64", all("warning")},
		{"4.9.0-19-amd64", "128", oldFloor},
		{"4.19.0", "1024", oldFloor},
		{"4.9.0-19-amd64", "64", all("warning")},
		{"4.9.0-19-amd64", "4096", all("")},
	}
	for _, tc := range tests {
		f := audit.NewFacts(audit.Facts{Kernel: audit.ParseRelease(tc.release),
			Sysctls: map[string]string{"net.core.somaxconn": tc.value}})
		for profile, want := range tc.want {
			got, fd := judged(t, profile, f)
			if got != want {
				t.Errorf("%s, kernel %s, somaxconn %s: severity %q, want %q", profile, tc.release, tc.value, got, want)
			}
			if got != "" && fd.Fix.Sysctl["net.core.somaxconn"] != "4096" {
				t.Errorf("%s, kernel %s: fix %v, want somaxconn = 4096", profile, tc.release, fd.Fix.Sysctl)
			}
		}
	}
}

// TestSomaxconnLowText pins the wording: below the default of a current
// kernel the title names that default, and every finding says that
// listen() clamps the backlog once, so a listener keeps its old limit
// until it calls listen() again.
func TestSomaxconnLowText(t *testing.T) {
	f := audit.NewFacts(audit.Facts{Kernel: audit.ParseRelease("6.12.48"),
		Sysctls: map[string]string{"net.core.somaxconn": "128"}})
	_, fd := judged(t, "baseline", f)
	for _, w := range []string{"somaxconn 128 is below this kernel's default of 4096"} {
		if !strings.Contains(fd.Title, w) {
			t.Errorf("title %q lacks %q", fd.Title, w)
		}
	}
	text := fd.Explanation + " " + fd.Fix.Advice
	for _, w := range []string{"listen() clamps the backlog once", "keeps the limit it got until it calls listen() again",
		"often 128 copied from configurations written for older kernels", "Restart the services that listen"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
}

// TestSomaxconnLowHosts runs the rule on fixture hosts of both kernel
// generations: 128 on 4.9 is that kernel's default and passes baseline;
// 64 on 6.12 is below even the old default and is a warning.
func TestSomaxconnLowHosts(t *testing.T) {
	tests := []struct{ host, profile, want string }{
		{"old-kernel-tw-recycle", "baseline", ""},
		{"old-kernel-tw-recycle", "client-heavy", ""},
		{"old-kernel-tw-recycle", "web-server", "warning"},
		{"misconfigured", "baseline", "warning"},
		{"healthy", "web-server", ""},
	}
	for _, tc := range tests {
		f, err := audit.Gather(audit.Options{ProcRoot: filepath.Join("../testdata/hosts", tc.host), Keys: rules.NewEngine().Keys()})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := judged(t, tc.profile, f); got != tc.want {
			t.Errorf("%s on %s (kernel %s): severity %q, want %q", tc.profile, tc.host, f.Kernel.Release, got, tc.want)
		}
	}
}
