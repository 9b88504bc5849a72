package rules_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// hardeningHosts holds the fixture hosts of the hardening and performance
// rules, written by testdata/hardening-hosts.sh.
const hardeningHosts = "testdata/hosts"

// gatherHost reads one of the hardening fixture hosts.
func gatherHost(t *testing.T, host string) *audit.Facts {
	t.Helper()
	f, err := audit.Gather(audit.Options{ProcRoot: filepath.Join(hardeningHosts, host), Keys: rules.NewEngine().Keys()})
	if err != nil {
		t.Fatalf("gather %s: %v", host, err)
	}
	return f
}

// evaluateHost runs a profile on one of the hardening fixture hosts.
func evaluateHost(t *testing.T, host, profile string) rules.Result {
	t.Helper()
	cfg, err := profiles.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	res := rules.NewEngine().Evaluate(gatherHost(t, host), cfg)
	for _, f := range res.Findings {
		for _, text := range []string{f.Title, f.Observed, f.Expected, f.Explanation, f.Fix.Advice} {
			if m := mythIn(text); m != "" {
				t.Errorf("%s on %s (%s) repeats the myth %q", f.Rule, host, profile, m)
			}
		}
	}
	return res
}

// profileRules are the rules baseline does not run: the profile that runs
// each, and the words its finding on hardening-fail must contain (the
// interfaces that fail, and only those).
var profileRules = map[string]struct {
	profile string
	want    []string
	notWant []string
}{
	"ipv4-source-route-accepted":     {"baseline", []string{"on eth1 "}, []string{"eth0", "lo"}},
	"icmp-echo-broadcasts-answered":  {"baseline", []string{"= 0"}, nil},
	"icmp-bogus-errors-logged":       {"baseline", []string{"= 0"}, nil},
	"rp-filter-disabled":             {"hardened", []string{"on eth0 and eth0.100 |"}, []string{"eth1", " lo"}},
	"ipv4-redirects-accepted":        {"hardened", []string{"on eth0 |"}, []string{"eth1", "eth0.100", "lo"}},
	"ipv4-secure-redirects-accepted": {"hardened", []string{"on eth0"}, []string{"eth1", "eth0.100"}},
	"ipv4-redirects-sent":            {"hardened", []string{"on eth0"}, []string{"eth1", "eth0.100"}},
	"martians-not-logged":            {"hardened", []string{"on eth0 |"}, []string{"eth1", "new interfaces"}},
	"ip-forwarding":                  {"hardened", []string{"ip_forward = 1"}, nil},
	"ipv6-ra-accepted":               {"hardened", []string{"on eth0.100"}, []string{"eth1", "new interfaces"}},
	"ipv6-redirects-accepted":        {"hardened", []string{"on eth0 |"}, []string{"eth1", "eth0.100", "new interfaces"}},
	"ipv6-source-route-accepted":     {"hardened", []string{"on eth0"}, []string{"eth1", "eth0.100"}},
	"ipv6-forwarding":                {"hardened", []string{"forwarding = 1"}, nil},
	"rfc1337-disabled":               {"hardened", []string{"tcp_rfc1337 = 0"}, nil},
	"bpf-jit-unhardened":             {"hardened", []string{"bpf_jit_harden = 0"}, nil},
	"tcp-buffer-limits-low":          {"high-throughput", []string{"tcp_rmem", "tcp_wmem"}, nil},
	"core-buffer-limits-low":         {"high-throughput", []string{"rmem_max", "wmem_max"}, nil},
	"congestion-control":             {"high-throughput", []string{`"cubic"`, "not loaded"}, nil},
	"default-qdisc":                  {"high-throughput", []string{`"pfifo_fast"`}, nil},
	"slow-start-after-idle":          {"high-throughput", []string{"= 1"}, nil},
	"tcp-timestamps-disabled":        {"hardened", []string{"tcp_timestamps = 0", "PAWS"}, nil},
}

// findingText joins what a reader sees of a rule's findings.
func findingText(res rules.Result, id string) string {
	var b strings.Builder
	for _, f := range res.Findings {
		if f.Rule == id {
			b.WriteString(f.Title + " | " + f.Observed + " | " + f.Fix.Advice + "\n")
		}
	}
	return b.String()
}

// TestHardeningFixtures runs each rule's profile on hardening-pass, where it
// must pass, and on hardening-fail, where it must fail naming exactly the
// interfaces whose effective value is wrong. Rules baseline runs must also
// pass on the healthy host, which has a current kernel's defaults.
func TestHardeningFixtures(t *testing.T) {
	for id, c := range profileRules {
		t.Run(id, func(t *testing.T) {
			if c.profile == profiles.Default {
				if got := status(evaluate(t, "healthy", c.profile), id); got != rules.Passed {
					t.Errorf("on healthy (%s): %s, want passed", c.profile, got)
				}
			}
			if got := status(evaluateHost(t, "hardening-pass", c.profile), id); got != rules.Passed {
				t.Errorf("on hardening-pass (%s): %s, want passed", c.profile, got)
			}
			res := evaluateHost(t, "hardening-fail", c.profile)
			if got := status(res, id); got != rules.Failed {
				t.Fatalf("on hardening-fail (%s): %s, want failed", c.profile, got)
			}
			text := findingText(res, id)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("finding lacks %q:\n%s", w, text)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(text, w) {
					t.Errorf("finding names %q, which passes:\n%s", w, text)
				}
			}
		})
	}
}

// TestHardeningFix checks the fix of a per-interface rule: conf/all,
// conf/default and each failing interface, dotted names spelled with '/'.
func TestHardeningFix(t *testing.T) {
	res := evaluateHost(t, "hardening-fail", "hardened")
	var got map[string]string
	for _, f := range res.Findings {
		if f.Rule == "rp-filter-disabled" {
			got = f.Fix.Sysctl
		}
	}
	want := map[string]string{
		"net.ipv4.conf.all.rp_filter":      "1",
		"net.ipv4.conf.default.rp_filter":  "1",
		"net.ipv4.conf.eth0.rp_filter":     "1",
		"net.ipv4.conf.eth0/100.rp_filter": "1",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rp-filter-disabled fix (-want +got):\n%s", d)
	}
}

// TestKubernetesNode: forwarding is what the role needs, so it is an
// annotation (an info finding the profile accepts, which fails no run),
// loose rp_filter passes, and nothing else is reported.
func TestKubernetesNode(t *testing.T) {
	res := evaluateHost(t, "hardening-k8s", "kubernetes-node")
	if w := res.Worst(); w != 0 {
		t.Errorf("worst severity %s on a hardened Kubernetes node, want none: %+v", w, res.Findings)
	}
	if len(res.Findings) != 1 || res.Findings[0].Rule != "ip-forwarding" || res.Findings[0].Severity != rules.Info ||
		res.Findings[0].Waived == "" || !strings.Contains(res.Findings[0].Explanation, "Kubernetes requires") {
		t.Errorf("want one accepted ip-forwarding annotation, got %+v", res.Findings)
	}
	if got := status(res, "ip-forwarding"); got != rules.Passed {
		t.Errorf("kubernetes-node on a forwarding node: ip-forwarding %s, want passed (annotated, not failed)", got)
	}
	if got := status(evaluateHost(t, "hardening-k8s", "hardened"), "ip-forwarding"); got != rules.Failed {
		t.Errorf("hardened on a forwarding node: ip-forwarding %s, want failed", got)
	}
}

// TestGlobalKeysInContainer: global keys absent in a container's namespace
// skip their rules with the namespace reason, never a failure.
func TestGlobalKeysInContainer(t *testing.T) {
	for _, p := range []string{"hardened", "high-throughput"} {
		res := evaluateHost(t, "hardening-container", p)
		if len(res.Findings) != 0 {
			t.Errorf("%s: findings in a container with hardened values: %+v", p, res.Findings)
		}
		for _, e := range res.Evaluations {
			global := e.Rule == "bpf-jit-unhardened" || e.Rule == "core-buffer-limits-low" || e.Rule == "default-qdisc"
			if global && e.Status != rules.Disabled {
				if e.Status != rules.Skipped || !strings.Contains(e.Reason, "not visible in this network namespace") {
					t.Errorf("%s: %s is %s (%s), want skipped as not visible", p, e.Rule, e.Status, e.Reason)
				}
			}
		}
	}
}

// TestNoIPv6: on a host without IPv6 the IPv6 rules are skipped with that
// reason, not reported as keys missing from the kernel.
func TestNoIPv6(t *testing.T) {
	res := evaluateHost(t, "hardening-noipv6", "hardened")
	for _, e := range res.Evaluations {
		if strings.HasPrefix(e.Rule, "ipv6-") && (e.Status != rules.Skipped || !strings.Contains(e.Reason, "no IPv6")) {
			t.Errorf("%s: %s (%s), want skipped for no IPv6", e.Rule, e.Status, e.Reason)
		}
	}
	if len(res.Findings) != 0 {
		t.Errorf("findings on a hardened host without IPv6: %+v", res.Findings)
	}
}

// TestPassingHostIsQuiet: a host configured as hardened and tuned for
// throughput gets no finding from those profiles, alone or composed.
func TestPassingHostIsQuiet(t *testing.T) {
	for _, p := range []string{"baseline", "hardened", "high-throughput", "hardened,high-throughput"} {
		res := evaluateHost(t, "hardening-pass", p)
		if len(res.Findings) != 0 {
			t.Errorf("%s on hardening-pass: %d findings, want none: %+v", p, len(res.Findings), res.Findings)
		}
		failed := 0
		for _, e := range res.Evaluations {
			if e.Status == rules.Failed {
				failed++
			}
		}
		if failed != 0 {
			t.Errorf("%s: %d rules failed", p, failed)
		}
	}
}
