package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestCheckInsideNetnsNoDrift runs the binary inside a namespace made by
// the test (ip netns exec: the host's files, another network namespace)
// whose tcp_fin_timeout differs from the host's: with the host's own tree
// (no --sysctl-root) runtime-config-drift is skipped there, saying the
// tree applies to the host's namespace, as check --netns says; a tree
// named with --sysctl-root that sets another value is compared (the
// rule fails), as it is on the host.
func TestCheckInsideNetnsNoDrift(t *testing.T) {
	ip := netnsPrereqs(t)
	long(t, "builds the binary")
	bin := buildBinary(t, t.TempDir())
	ns := nstest.New(t)
	nsRun(t, ip, ns, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout=120")
	host, err := os.ReadFile("/proc/sys/net/ipv4/tcp_fin_timeout")
	if err != nil {
		t.Fatal(err)
	}
	other := "121"
	if strings.TrimSpace(string(host)) == other {
		other = "122"
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "sysctl.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "sysctl.d", "50-x.conf"), []byte("net.ipv4.tcp_fin_timeout = "+other+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	drift := func(args ...string) ruleStatus {
		t.Helper()
		out, _ := exec.Command(args[0], args[1:]...).Output()
		var r jsonReport
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", args, err, out)
		}
		return r.statuses()["runtime-config-drift"]
	}
	inside := []string{ip, "netns", "exec", ns, bin, "check", "--format", "json", "--fail-on", "never"}
	if s := drift(inside...); s.Status != "skipped" || !strings.Contains(s.Reason, "applies to the host namespace only") {
		t.Errorf("inside %s: runtime-config-drift %+v, want skipped: the tree is the host's", ns, s)
	}
	if s := drift(append(inside, "--sysctl-root", root)...); s.Status != "failed" {
		t.Errorf("inside %s, --sysctl-root: runtime-config-drift %+v, want failed (tcp_fin_timeout 120, the tree sets %s)", ns, s, other)
	}
	if s := drift(bin, "check", "--format", "json", "--fail-on", "never", "--sysctl-root", root); s.Status != "failed" {
		t.Errorf("on the host: runtime-config-drift %+v, want failed (tcp_fin_timeout %s, the tree sets %s)", s, strings.TrimSpace(string(host)), other)
	}
}
