package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

func resolve(t *testing.T, root string) *sysctlconf.Config {
	t.Helper()
	c, err := sysctlconf.Resolve(root)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPlanFixLeavesOutAbsentKeys: a key the proc root does not have is left
// out with a note naming why, never written; a key two findings set keeps
// the more severe finding's value.
func TestPlanFixLeavesOutAbsentKeys(t *testing.T) {
	res := rules.Result{Findings: []rules.Finding{
		{Rule: "a", Severity: rules.Warning, Title: "t", Fix: rules.Fix{Sysctl: map[string]string{
			"net.core.rmem_max": "16777216", "net.ipv4.tcp_no_such": "1", "net.ipv4.tcp_fin_timeout": "60"}}},
		{Rule: "b", Severity: rules.Info, Fix: rules.Fix{Sysctl: map[string]string{"net.ipv4.tcp_fin_timeout": "30"}}},
		{Rule: "c", Severity: rules.Critical, Waived: "until 2030-01-01", Fix: rules.Fix{Sysctl: map[string]string{"net.core.somaxconn": "4096"}}},
	}}
	f := &audit.Facts{ProcRoot: t.TempDir(), Sysctls: map[string]string{"net.ipv4.tcp_fin_timeout": "120"}}
	fx := pipeline.PlanFix(&pipeline.Audit{Result: res, Facts: f, Profile: "p"}, resolve(t, t.TempDir()))
	if len(fx.Changes) != 1 || fx.Changes[0].Key != "net.ipv4.tcp_fin_timeout" || fx.Changes[0].Value != "60" {
		t.Errorf("changes %+v, want only tcp_fin_timeout = 60", fx.Changes)
	}
	want := []string{"tcp_fin_timeout: b also wants 30", "left out net.core.rmem_max", "not visible in this network namespace",
		"left out net.ipv4.tcp_no_such", "not present on this kernel"}
	all := strings.Join(fx.Notes, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("notes lack %q:\n%s", w, all)
		}
	}
	if strings.Contains(fx.DropIn(), "somaxconn") {
		t.Errorf("a waived finding's fix is in the drop-in:\n%s", fx.DropIn())
	}
}

// TestPlanFixOnHost: the drop-in for a fixture host names the files it
// must sort after, and a name before them is reported as shadowed, in its
// header too.
func TestPlanFixOnHost(t *testing.T) {
	root := sysctlTree(t, "net.ipv4.tcp_fin_timeout = 120\n")
	a := run(t, pipeline.Options{ProcRoot: filepath.Join(hostsDir, "misconfigured"), SysctlRoot: root})
	fx := pipeline.PlanFix(a, a.Sysctl)
	if len(fx.Changes) == 0 {
		t.Fatal("no change planned on misconfigured")
	}
	drop := fx.DropIn()
	for _, want := range []string{
		"tcpaudit fix, profile " + a.Profile + ": save as /etc/sysctl.d/" + fx.Name,
		"Its name sorts after these files that set some of its keys: /etc/sysctl.d/60-tuning.conf",
		"net.ipv4.tcp_fin_timeout = ",
	} {
		if !strings.Contains(drop, want) {
			t.Errorf("drop-in lacks %q:\n%s", want, drop)
		}
	}
	if fx.Name <= "60-tuning.conf" {
		t.Errorf("drop-in name %q sorts before 60-tuning.conf", fx.Name)
	}
	if got := fx.Shadowed("50-mine.conf"); got != "60-tuning.conf" {
		t.Errorf("Shadowed(50-mine.conf) = %q, want 60-tuning.conf", got)
	}
	// The header of a name that loses says so, as Shadowed does.
	if h := fx.Named("50-mine.conf").DropIn(); strings.Contains(h, "sorts after these files") ||
		!strings.Contains(h, "These files sort after its name, set some of its keys and win at boot: /etc/sysctl.d/60-tuning.conf; name it "+fx.Name) {
		t.Errorf("header of 50-mine.conf does not say 60-tuning.conf wins:\n%s", h)
	}
	if got := fx.Shadowed(fx.Name); got != "" {
		t.Errorf("Shadowed(%s) = %q, want none", fx.Name, got)
	}
	diff, err := fx.Diff()
	if err != nil || !strings.Contains(diff, "--- a/etc/sysctl.d/60-tuning.conf") {
		t.Errorf("diff %v:\n%s", err, diff)
	}
	if err := os.WriteFile(filepath.Join(root, "etc", "sysctl.d", fx.Name), []byte(drop), 0o644); err != nil {
		t.Fatal(err)
	}
	if e := resolve(t, root).Effective([]string{"net.ipv4.tcp_fin_timeout"})["net.ipv4.tcp_fin_timeout"]; e.Value == "120" {
		t.Errorf("the drop-in does not win: %+v", e)
	}
}

// TestPlanFixWithoutTree: with no sysctl.d tree the drop-in stands alone
// under its default name.
func TestPlanFixWithoutTree(t *testing.T) {
	res := rules.Result{Findings: []rules.Finding{{Rule: "a", Severity: rules.Warning, Title: "t",
		Fix: rules.Fix{Sysctl: map[string]string{"net.ipv4.tcp_fin_timeout": "60"}}}}}
	f := audit.NewFacts(audit.Facts{ProcRoot: t.TempDir(), Sysctls: map[string]string{"net.ipv4.tcp_fin_timeout": "120"}})
	fx := pipeline.PlanFix(&pipeline.Audit{Result: res, Facts: f, Profile: "p"}, nil)
	if fx.Name != sysctlconf.DefaultDropIn || !strings.Contains(fx.DropIn(), "net.ipv4.tcp_fin_timeout = 60") {
		t.Errorf("drop-in %s:\n%s", fx.Name, fx.DropIn())
	}
}
