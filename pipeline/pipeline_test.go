package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// hostsDir holds the fixture proc trees.
const hostsDir = "../testdata/hosts"

// sysctlTree writes a sysctl.d tree with one drop-in and returns its root.
func sysctlTree(t *testing.T, conf string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "sysctl.d")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "60-tuning.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func run(t *testing.T, o pipeline.Options) *pipeline.Audit {
	t.Helper()
	a, err := pipeline.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func evaluation(res rules.Result, id string) rules.Evaluation {
	for _, e := range res.Evaluations {
		if e.Rule == id {
			return e
		}
	}
	return rules.Evaluation{Rule: id, Status: "missing"}
}

// TestRunDrift: the sysctl.d tree is attached, its keys are gathered, and
// runtime-config-drift compares them with the runtime values.
func TestRunDrift(t *testing.T) {
	root := sysctlTree(t, "net.ipv4.tcp_fin_timeout = 60\nnet.ipv4.tcp_keepalive_time = 7200\n")
	a := run(t, pipeline.Options{ProcRoot: filepath.Join(hostsDir, "misconfigured"), SysctlRoot: root})
	if a.Profile != profiles.Default || a.Hostname != "misconfigured" || a.Sysctl == nil {
		t.Errorf("profile %q, hostname %q, tree %v", a.Profile, a.Hostname, a.Sysctl)
	}
	set, ok := a.Facts.Configured["net.ipv4.tcp_fin_timeout"]
	if !ok || set.Value != "60" || set.Line != 1 || !strings.HasSuffix(set.File, "60-tuning.conf") {
		t.Errorf("configured tcp_fin_timeout = %+v, %v", set, ok)
	}
	if _, ok := a.Facts.Sysctls["net.ipv4.tcp_keepalive_time"]; !ok {
		t.Error("a configured key outside the rules was not gathered")
	}
	if e := evaluation(a.Result, "runtime-config-drift"); e.Status != rules.Failed {
		t.Errorf("runtime-config-drift %s, want failed", e.Status)
	}
}

// TestRunWithoutTree: a copied proc root without a sysctl root, or a root
// without sysctl.d, leaves runtime-config-drift skipped with the reason.
func TestRunWithoutTree(t *testing.T) {
	host := filepath.Join(hostsDir, "healthy")
	for root, want := range map[string]string{
		"":          "no configuration tree: --proc-root is not /proc",
		t.TempDir(): "no sysctl.d directory or /etc/sysctl.conf under",
	} {
		a := run(t, pipeline.Options{ProcRoot: host, SysctlRoot: root})
		why, _ := a.Facts.NotRead(audit.SourceConfig)
		if a.Facts.Has(audit.SourceConfig) || !strings.Contains(why, want) {
			t.Errorf("sysctl root %q: config missing %q, want %q", root, why, want)
		}
		if e := evaluation(a.Result, "runtime-config-drift"); e.Status != rules.Skipped || !strings.Contains(e.Reason, want) {
			t.Errorf("sysctl root %q: runtime-config-drift %s (%s)", root, e.Status, e.Reason)
		}
	}
	if _, err := pipeline.Run(context.Background(), pipeline.Options{ProcRoot: host, SysctlRoot: filepath.Join(t.TempDir(), "none")}); err == nil {
		t.Error("a sysctl root that does not exist is not an error")
	}
}

// TestRunnerWaivers: waivers are judged on the date of each run of a
// prepared audit.
func TestRunnerWaivers(t *testing.T) {
	r, err := pipeline.Prepare(pipeline.Options{
		ProcRoot: filepath.Join(hostsDir, "misconfigured"),
		Waivers:  []rules.Waiver{{Rule: "fin-timeout", Reason: "ticket 9", Expires: time.Date(2030, 1, 31, 0, 0, 0, 0, time.UTC), Source: "c.yaml:3"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for today, waived := range map[time.Time]bool{
		time.Date(2030, 1, 31, 12, 0, 0, 0, time.UTC): true,
		time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC):   false,
	} {
		a, err := r.Run(context.Background(), today)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(a.Result.Findings, func(f rules.Finding) bool { return f.Rule == "fin-timeout" })
		if i < 0 {
			t.Fatal("no fin-timeout finding on misconfigured")
		}
		if got := a.Result.Findings[i].Waived != ""; got != waived {
			t.Errorf("on %s: waived %v, want %v", today.Format(time.DateOnly), got, waived)
		}
	}
}

// TestRunOverridesAndRules: the configuration file's overrides apply after
// the profile, and Rules narrows what is evaluated.
func TestRunOverridesAndRules(t *testing.T) {
	off := false
	o := pipeline.Options{
		ProcRoot:  filepath.Join(hostsDir, "misconfigured"),
		Profile:   "baseline",
		Overrides: &profiles.Profile{Name: "config", Rules: map[string]profiles.RuleSettings{"fin-timeout": {Enabled: &off}}},
	}
	if e := evaluation(run(t, o).Result, "fin-timeout"); e.Status == rules.Failed {
		t.Errorf("fin-timeout %s with the rule disabled by an override", e.Status)
	}
	r, _ := rules.Lookup("fin-timeout")
	o.Overrides, o.Rules = nil, []rules.Rule{r}
	if res := run(t, o).Result; len(res.Evaluations) != 1 || res.Evaluations[0].Status != rules.Failed {
		t.Errorf("evaluations %+v, want fin-timeout failed alone", res.Evaluations)
	}
	if _, err := pipeline.Run(context.Background(), pipeline.Options{ProcRoot: o.ProcRoot, Profile: "no-such-profile"}); err == nil {
		t.Error("an unknown profile is not an error")
	}
}

// TestKeys: the keys of an audit are the rules', the port range and the
// keys the sysctl.d tree sets.
func TestKeys(t *testing.T) {
	host := filepath.Join(hostsDir, "healthy")
	keys, err := pipeline.Keys(host, sysctlTree(t, "net.ipv4.tcp_keepalive_time = 7200\nnet.ipv4.conf.*.rp_filter = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range append(rules.NewEngine().Keys(), audit.PortRangeKey, "net.ipv4.tcp_keepalive_time") {
		if !slices.Contains(keys, k) {
			t.Errorf("keys lack %s", k)
		}
	}
	if slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, "*") }) {
		t.Error("a glob is among the keys")
	}
	keys, err = pipeline.Keys(host, filepath.Join(t.TempDir(), "none"))
	if err == nil || !slices.Contains(keys, audit.PortRangeKey) {
		t.Errorf("missing sysctl root: %d keys, %v; want the keys without it and an error", len(keys), err)
	}
}

func TestHostname(t *testing.T) {
	snap := t.TempDir()
	if err := os.MkdirAll(filepath.Join(snap, "sys", "kernel"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(snap, "sys", "kernel", "hostname"), []byte("web-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	live, _ := os.Hostname()
	for root, want := range map[string]string{
		snap:                               "web-1",
		filepath.Join(hostsDir, "healthy"): "healthy",
		"/proc":                            live,
	} {
		if got := pipeline.Hostname(root); got != want {
			t.Errorf("Hostname(%s) = %q, want %q", root, got, want)
		}
	}
}

// TestRunTreeWithLinesThatAreNoKeys: a sysctl.d line with an empty key or
// a key naming a directory (net.ipv4.conf = 1) is not gathered as a sysctl,
// so the audit runs and compares the real keys.
func TestRunTreeWithLinesThatAreNoKeys(t *testing.T) {
	root := sysctlTree(t, "= 5\nnet.ipv4.conf = 1\nnet.ipv4 = 1\nnet.ipv4.tcp_fin_timeout = 60\n")
	a := run(t, pipeline.Options{ProcRoot: filepath.Join(hostsDir, "misconfigured"), SysctlRoot: root})
	if _, ok := a.Facts.Configured["net.ipv4.tcp_fin_timeout"]; !ok {
		t.Errorf("configured keys %v, want net.ipv4.tcp_fin_timeout among them", a.Facts.Configured)
	}
	for _, k := range []string{"", "net.ipv4.conf", "net.ipv4"} {
		if _, ok := a.Facts.Sysctls[k]; ok {
			t.Errorf("%q was gathered as a sysctl", k)
		}
	}
}
