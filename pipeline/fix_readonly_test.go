package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestPlanFixReadOnlyGlobalKeys: in a child namespace a current kernel
// shows net.core.rmem_max and wmem_max read-only with the host's value; the
// findings on the container host say to set them on the host and the fix
// writes no line for them (docs/kernel-facts.md §12).
func TestPlanFixReadOnlyGlobalKeys(t *testing.T) {
	a := run(t, pipeline.Options{ProcRoot: filepath.Join(hostsDir, "container"), Profile: "high-throughput"})
	fx := pipeline.PlanFix(a, resolve(t, t.TempDir()))
	for _, c := range fx.Changes {
		if rules.IsGlobalKey(c.Key) {
			t.Errorf("the container's fix writes the global key %s", c.Key)
		}
	}
	n := 0
	for _, f := range a.Result.Findings {
		if f.Rule == "core-buffer-limits-low" {
			n++
			if len(f.Fix.Sysctl) > 0 || !strings.Contains(f.Fix.Advice, "on the host (the initial namespace)") {
				t.Errorf("%s: fix %+v, want advice for the host and no sysctl line", f.Title, f.Fix)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d core-buffer-limits-low findings on the container host, want rmem_max and wmem_max", n)
	}
}

// TestPlanFixReadOnlyFile: a key whose file has no write bit is left out
// as read-only even where the facts show the initial namespace (a global
// key with the advice to set it on the host); with a write bit it is
// written.
func TestPlanFixReadOnlyFile(t *testing.T) {
	root := t.TempDir()
	files := map[string]os.FileMode{"core/rmem_max": 0o444, "core/wmem_max": 0o644, "ipv4/tcp_allowed_congestion_control": 0o444}
	for name, mode := range files {
		p := filepath.Join(root, "sys", "net", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("212992\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	res := rules.Result{Findings: []rules.Finding{{Rule: "r", Fix: rules.Fix{Sysctl: map[string]string{
		"net.core.rmem_max": "16777216", "net.core.wmem_max": "16777216", "net.ipv4.tcp_allowed_congestion_control": "bbr"}}}}}
	f := audit.NewFacts(audit.Facts{ProcRoot: root, Sysctls: map[string]string{"net.core.rmem_max": "212992", "net.core.wmem_max": "212992"}})
	fx := pipeline.PlanFix(&pipeline.Audit{Result: res, Facts: f, Profile: "p"}, resolve(t, t.TempDir()))
	if len(fx.Changes) != 1 || fx.Changes[0].Key != "net.core.wmem_max" {
		t.Errorf("changes %+v, want only net.core.wmem_max", fx.Changes)
	}
	all := strings.Join(fx.Notes, "\n")
	for _, want := range []string{"left out net.core.rmem_max = 16777216 (r): read-only in this network namespace (a global key",
		"left out net.ipv4.tcp_allowed_congestion_control = bbr (r): read-only in this network namespace\n"} {
		if !strings.Contains(all+"\n", want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
}
