package rules_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// netnsRules are the per-interface rules the namespace test breaks on the
// interface vx.100 only, through a setting that conf/all does not cover
// (max, OR, the interface alone) or that conf/all lets through (AND), while
// vy carries settings the kernel's combination neutralises.
var netnsRules = []string{
	"rp-filter-disabled", "ipv4-redirects-sent", "ipv4-redirects-accepted", "ipv4-source-route-accepted",
	"ipv6-ra-accepted", "ipv6-redirects-accepted",
}

// TestHardeningInNetns runs against the real kernel in a fresh network
// namespace: a veth pair whose one end is named with a dot (vx.100) gets
// settings that conf/all cannot override. vy forwards, so its own
// accept_redirects 1 is ANDed with conf/all 0 (IPv4) or ignored (IPv6);
// its accept_source_route 0 masks conf/all 1 (AND). Gather must read what
// sysctl(8) reads, the rules must name vx.100 and not vy, and applying the
// reported fixes with the real sysctl -w (slash spelling for the dotted
// name) must make them pass.
func TestHardeningInNetns(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	for _, tool := range []string{"ip", "sysctl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	run(t, "ip", "link", "add", "vx.100", "type", "veth", "peer", "name", "vy")
	for _, kv := range []string{
		"net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=1",
		"net.ipv4.conf.vx/100.rp_filter=0", "net.ipv4.conf.vy.rp_filter=1",
		"net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.default.send_redirects=0",
		"net.ipv4.conf.vx/100.send_redirects=1", "net.ipv4.conf.vy.send_redirects=0",
		"net.ipv4.conf.vy.forwarding=1", "net.ipv6.conf.vy.forwarding=1",
		"net.ipv4.conf.all.accept_redirects=0", "net.ipv4.conf.default.accept_redirects=0",
		"net.ipv4.conf.vx/100.accept_redirects=1", "net.ipv4.conf.vy.accept_redirects=1",
		"net.ipv4.conf.all.accept_source_route=1", "net.ipv4.conf.default.accept_source_route=0",
		"net.ipv4.conf.vx/100.accept_source_route=1", "net.ipv4.conf.vy.accept_source_route=0",
		"net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0",
		"net.ipv6.conf.vx/100.accept_ra=1", "net.ipv6.conf.vy.accept_ra=0",
		"net.ipv6.conf.all.accept_redirects=0", "net.ipv6.conf.default.accept_redirects=0",
		"net.ipv6.conf.vx/100.accept_redirects=1", "net.ipv6.conf.vy.accept_redirects=1",
	} {
		run(t, "sysctl", "-q", "-w", kv)
	}
	f := gatherLive(t)
	for _, dev := range []string{"vx.100", "vy"} {
		for _, s := range []string{"rp_filter", "send_redirects", "accept_redirects", "accept_source_route", "forwarding"} {
			want := strings.TrimSpace(run(t, "sysctl", "-n", "net.ipv4.conf."+strings.ReplaceAll(dev, ".", "/")+"."+s))
			if got := f.Conf.IPv4.Devices[dev][s]; got != want {
				t.Errorf("%s %s: gathered %q, sysctl says %q", dev, s, got, want)
			}
		}
	}
	res := evaluateLive(t, f)
	for _, id := range netnsRules {
		text := findingText(res, id)
		if !strings.Contains(text, "on vx.100 |") {
			t.Errorf("%s does not name exactly vx.100: %q", id, text)
		}
		for _, fd := range res.Findings {
			if fd.Rule != id {
				continue
			}
			for k, v := range fd.Fix.Sysctl {
				run(t, "sysctl", "-q", "-w", k+"="+v)
			}
		}
	}
	after := evaluateLive(t, gatherLive(t))
	for _, id := range netnsRules {
		if got := status(after, id); got != rules.Passed {
			t.Errorf("%s after applying its fix with sysctl -w: %s: %s", id, got, findingText(after, id))
		}
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func gatherLive(t *testing.T) *audit.Facts {
	t.Helper()
	f, err := audit.Gather(audit.Options{ProcRoot: "/proc", Keys: rules.NewEngine().Keys()})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func evaluateLive(t *testing.T, f *audit.Facts) rules.Result {
	t.Helper()
	cfg, err := profiles.Load("hardened")
	if err != nil {
		t.Fatal(err)
	}
	return rules.NewEngine().Evaluate(f, cfg)
}
