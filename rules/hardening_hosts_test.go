package rules_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// verifiedCIS are the CIS Distribution Independent Linux v2.0.0 section
// numbers checked against published cross-references of that benchmark.
// Any other CIS reference names the recommendation by its title only.
var verifiedCIS = map[string]bool{"3.1.1": true, "3.2.2": true, "3.2.4": true, "3.2.5": true, "3.2.8": true}

// TestCISReferences: every CIS reference quotes the recommendation's
// title, and carries a section number only where that number was verified.
func TestCISReferences(t *testing.T) {
	const prefix = "CIS Distribution Independent Linux v2.0.0"
	n := 0
	for _, r := range rules.Catalog() {
		for _, ref := range r.References {
			if !strings.HasPrefix(ref, "CIS") {
				continue
			}
			n++
			rest, ok := strings.CutPrefix(ref, prefix)
			if !ok || !strings.Contains(rest, `"Ensure `) {
				t.Errorf("%s: %q does not name the benchmark and quote the recommendation", r.ID, ref)
				continue
			}
			if num, _, _ := strings.Cut(strings.TrimSpace(rest), " "); !strings.HasPrefix(num, `"`) && num != "," && !verifiedCIS[num] {
				t.Errorf("%s: %q cites the unverified section %q", r.ID, ref, num)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d CIS references in the catalog", n)
	}
}

// TestKeyAbsentOnKernel: a per-namespace key missing from the proc tree is
// reported as not present on the fixture's kernel release, the rule is
// skipped with that reason, and nothing fails or reads as "unset".
func TestKeyAbsentOnKernel(t *testing.T) {
	root := copyHost(t, "hardening-fail")
	if err := os.Remove(filepath.Join(root, "sys/net/ipv4/tcp_rfc1337")); err != nil {
		t.Fatal(err)
	}
	res := evaluateRoot(t, root, "hardened")
	if got := status(res, "rfc1337-disabled"); got != rules.Skipped {
		t.Fatalf("rfc1337-disabled: %s, want skipped", got)
	}
	for _, e := range res.Evaluations {
		if e.Rule != "rfc1337-disabled" {
			continue
		}
		if want := "net.ipv4.tcp_rfc1337 is not present on kernel 6.12.48+deb13-amd64"; !strings.Contains(e.Reason, want) || strings.Contains(e.Reason, "unset") {
			t.Errorf("reason %q, want %q", e.Reason, want)
		}
	}
}

// TestEveryProfilePassesAndFails: each built-in profile has a fixture host
// it passes without a single finding and one where the rules that define
// its role fail.
func TestEveryProfilePassesAndFails(t *testing.T) {
	cases := map[string]struct {
		pass, fail string
		failing    []string
	}{
		"baseline":        {"hardening-pass", "hardening-fail", []string{"ipv4-source-route-accepted", "syncookies-disabled"}},
		"web-server":      {"roles-pass", "roles-fail", []string{"somaxconn-low"}},
		"client-heavy":    {"roles-pass", "hardening-pass", []string{"ephemeral-port-range", "tw-reuse"}},
		"high-throughput": {"hardening-pass", "hardening-fail", []string{"congestion-control", "core-buffer-limits-low", "tcp-buffer-limits-low"}},
		"hardened":        {"hardening-pass", "hardening-fail", []string{"rp-filter-disabled", "ipv6-ra-accepted", "rfc1337-disabled"}},
		"kubernetes-node": {"hardening-k8s", "hardening-pass", []string{"ip-forwarding"}},
	}
	for _, name := range profiles.Names() {
		c, ok := cases[name]
		if !ok {
			t.Errorf("profile %s has no passing and failing fixture host", name)
			continue
		}
		for _, f := range evaluateHost(t, c.pass, name).Findings {
			if f.Waived == "" {
				t.Errorf("%s on %s: finding %s: %s", name, c.pass, f.Rule, f.Title)
			}
		}
		res := evaluateHost(t, c.fail, name)
		for _, id := range c.failing {
			if got := status(res, id); got != rules.Failed {
				t.Errorf("%s on %s: %s %s, want failed", name, c.fail, id, got)
			}
		}
	}
}

// TestHardeningHostsMatchGenerator reruns hardening-hosts.sh into a
// temporary directory and compares its output with the committed hosts, so
// they change only through the script.
func TestHardeningHostsMatchGenerator(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command("sh", "rules/testdata/hardening-hosts.sh")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hardening-hosts.sh: %v\n%s", err, b)
	}
	want := snapshotTree(t, out)
	got := snapshotTree(t, hardeningHosts)
	if len(want) < 100 {
		t.Fatalf("the generator wrote only %d files", len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || g != w {
			t.Errorf("%s/%s differs from hardening-hosts.sh's output (missing: %v)", hardeningHosts, name, !ok)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s/%s is not written by hardening-hosts.sh", hardeningHosts, name)
		}
	}
}

// copyHost copies a hardening fixture host into a temporary proc root.
func copyHost(t *testing.T, name string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(filepath.Join(hardeningHosts, name))); err != nil {
		t.Fatal(err)
	}
	return root
}

// evaluateRoot gathers a proc root and runs a profile on it.
func evaluateRoot(t *testing.T, root, profile string) rules.Result {
	t.Helper()
	f, err := audit.Gather(audit.Options{ProcRoot: root, Keys: rules.NewEngine().Keys()})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := profiles.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	return rules.NewEngine().Evaluate(f, cfg)
}

// TestBooleanKeysJudgedAsKernel: the kernel tests tcp_rfc1337, ip_forward
// and IPv6 forwarding for non-zero only, and stores any integer written, so
// 5 or -1 must be judged as on.
func TestBooleanKeysJudgedAsKernel(t *testing.T) {
	root := copyHost(t, "hardening-k8s")
	for key, v := range map[string]string{"net/ipv4/tcp_rfc1337": "5", "net/ipv4/ip_forward": "2", "net/ipv6/conf/all/forwarding": "-1"} {
		if err := os.WriteFile(filepath.Join(root, "sys", key), []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		profile, rule string
		want          rules.Status
	}{
		{"hardened", "rfc1337-disabled", rules.Passed},
		{"hardened", "ip-forwarding", rules.Failed},
		{"hardened", "ipv6-forwarding", rules.Failed},
		{"kubernetes-node", "ip-forwarding", rules.Passed}, // with an accepted annotation: info, waived
	} {
		res := evaluateRoot(t, root, c.profile)
		if got := status(res, c.rule); got != c.want {
			t.Errorf("%s %s: %s, want %s: %s", c.profile, c.rule, got, c.want, findingText(res, c.rule))
		}
		for _, f := range res.Findings {
			if c.profile == "kubernetes-node" && f.Rule == c.rule && f.Waived == "" {
				t.Errorf("kubernetes-node: ip_forward = 2 is forwarding on, yet it fails: %s", f.Title)
			}
		}
	}
}
