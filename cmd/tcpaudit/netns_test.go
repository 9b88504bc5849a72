package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// netnsBad are per-namespace sysctls set to values the baseline profile
// flags, with the rule that must flag each.
var netnsBad = []struct{ key, value, rule string }{
	{"net.ipv4.ip_local_port_range", "40000 40100", "ephemeral-port-range"}, // 101 ports < min_ports 16384
	{"net.ipv4.tcp_fin_timeout", "120", "fin-timeout"},                      // > max 60
	{"net.ipv4.tcp_syncookies", "0", "syncookies-disabled"},
	{"net.core.somaxconn", "64", "somaxconn-low"}, // < min 128
}

// TestCheckInNetns builds tcpaudit, sets bad sysctls in a fresh network
// namespace, and runs `check` there: the four rules must fail (exit 1), the
// rules that need global keys must be skipped as invisible in a namespace.
// Then it applies the reported fixes with the real `sysctl -p` and checks
// that the four rules pass.
func TestCheckInNetns(t *testing.T) {
	ip := netnsPrereqs(t)
	bin := buildBinary(t, t.TempDir())
	ns := nstest.New(t)
	for _, b := range netnsBad {
		nsRun(t, ip, ns, "sysctl", "-w", b.key+"="+b.value)
	}
	rep, code := nsCheck(t, ip, ns, bin)
	if code != exitFindings {
		t.Errorf("exit code %d, want %d", code, exitFindings)
	}
	status, found := rep.statuses(), map[string]bool{}
	for _, f := range rep.Findings {
		found[f.Rule] = true
	}
	for _, b := range netnsBad {
		if status[b.rule].Status != "failed" || !found[b.rule] {
			t.Errorf("%s = %s: status %q, finding %v; want a failed rule with a finding", b.key, b.value, status[b.rule].Status, found[b.rule])
		}
	}
	for _, id := range []string{"orphan-pressure", "tcp-memory-pressure"} {
		if s := status[id]; s.Status != "skipped" || !strings.Contains(s.Reason, "not visible in this network namespace") {
			t.Errorf("%s: status %q, reason %q; want skipped as not visible in this network namespace", id, s.Status, s.Reason)
		}
	}
	applyFixes(t, ip, ns, rep)
	rep, _ = nsCheck(t, ip, ns, bin)
	status = rep.statuses()
	for _, b := range netnsBad {
		if status[b.rule].Status != "passed" {
			t.Errorf("after sysctl -p of the fix: %s = %s", b.rule, status[b.rule].Status)
		}
	}
}

// applyFixes writes the sysctl fixes of the four rules (per-namespace keys
// only, so the host is never touched) to a file and loads it with
// `sysctl -p` inside the namespace.
func applyFixes(t *testing.T, ip, ns string, rep jsonReport) {
	t.Helper()
	wanted := map[string]bool{}
	for _, b := range netnsBad {
		wanted[b.rule] = true
	}
	var lines []string
	for _, f := range rep.Findings {
		for k, v := range f.Fix.Sysctl {
			if wanted[f.Rule] {
				lines = append(lines, fmt.Sprintf("%s = %s", k, v))
			}
		}
	}
	sort.Strings(lines)
	if len(lines) != len(netnsBad) {
		t.Fatalf("fixes %q: want one sysctl per rule", lines)
	}
	conf := filepath.Join(t.TempDir(), "99-tcpaudit.conf")
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	nsRun(t, ip, ns, "sysctl", "-p", conf)
}

// netnsPrereqs skips unless the test can create namespaces and set sysctls.
func netnsPrereqs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace (ip netns add)")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("needs ip(8) from iproute2 to create a network namespace")
	}
	if _, err := exec.LookPath("sysctl"); err != nil {
		t.Skip("needs sysctl(8) from procps to set sysctls in the namespace")
	}
	return ip
}

func nsRun(t *testing.T, ip, ns string, args ...string) {
	t.Helper()
	if out, err := exec.Command(ip, append([]string{"netns", "exec", ns}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("ip netns exec %s %s: %v\n%s", ns, strings.Join(args, " "), err, out)
	}
}

// nsCheck runs `tcpaudit check --format json` in the namespace.
func nsCheck(t *testing.T, ip, ns, bin string) (jsonReport, int) {
	t.Helper()
	cmd := exec.Command(ip, "netns", "exec", ns, bin, "check", "--format", "json", "--no-color")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := exitCode(t, err)
	if stderr.Len() > 0 {
		t.Logf("check in %s (exit %d): %s", ns, code, stderr.String())
	}
	return parseReport(t, out), code
}
