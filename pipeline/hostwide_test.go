//go:build linux && !tcpaudit_portable

package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
)

// everyOrphan is a profile whose orphan-pressure fails at any count (a
// warning from 0 % of tcp_max_orphans), so that the test sees the limit
// the rule was judged against.
const everyOrphan = "name: every-orphan\nextends: baseline\nrules:\n  orphan-pressure:\n    params: {warning_share: 0, critical_share: 100}\n"

func orphanOptions(t *testing.T) pipeline.Options {
	t.Helper()
	file := filepath.Join(t.TempDir(), "every-orphan.yaml")
	if err := os.WriteFile(file, []byte(everyOrphan), 0o644); err != nil {
		t.Fatal(err)
	}
	return pipeline.Options{ProcRoot: "/proc", Today: time.Now(), Profile: "every-orphan", ProfileFiles: []string{file}}
}

// TestRunNamespacesHostWide: a namespace the test made, audited from the
// host without the host's namespace (check --netns), judges orphan-pressure
// with the host's tcp_max_orphans, which it lacks itself, and marks the
// finding host-wide; audited with the host's (--all-netns), it leaves the
// rule to the host's, and says so, and the host's finding is not marked.
func TestRunNamespacesHostWide(t *testing.T) {
	raw, err := os.ReadFile("/proc/sys/net/ipv4/tcp_max_orphans")
	if err != nil {
		t.Skipf("this namespace shows no tcp_max_orphans (not the host's?): %v", err)
	}
	limit, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64)
	if err != nil {
		t.Fatal(err)
	}
	name := nstest.New(t)
	child, err := netns.Resolve(name, "/proc")
	if err != nil {
		t.Fatal(err)
	}
	host, err := netns.Resolve("1", "/proc")
	if err != nil || !host.IsHost() {
		t.Skipf("PID 1's namespace is not the host's here: %v", err)
	}
	o := orphanOptions(t)
	alone, err := pipeline.RunNamespaces(context.Background(), o, []netns.Namespace{child})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := findingOf(alone[0], "orphan-pressure")
	if !ok || !f.HostWide || f.Evidence["limit"] != limit {
		t.Errorf("--netns %s alone: orphan-pressure found %v, host-wide %v, limit %v; want the host's %v, host-wide\nevaluations %+v", name, ok, f.HostWide, f.Evidence["limit"], limit, alone[0].Audit.Result.Evaluations)
	}
	both, err := pipeline.RunNamespaces(context.Background(), o, []netns.Namespace{host, child})
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := findingOf(both[0], "orphan-pressure"); !ok || f.HostWide {
		t.Errorf("the host's orphan-pressure: found %v, host-wide %v; want found, unmarked", ok, f.HostWide)
	}
	if _, ok := findingOf(both[1], "orphan-pressure"); ok {
		t.Errorf("%s repeats the host's orphan-pressure", name)
	}
	for _, e := range both[1].Audit.Result.Evaluations {
		if e.Rule == "orphan-pressure" && (e.Status != rules.Skipped || !strings.Contains(e.Reason, "judged once, with the host namespace")) {
			t.Errorf("orphan-pressure in %s beside the host's: %+v; want skipped, judged with the host", name, e)
		}
	}
}

// findingOf returns the finding of rule in the audit of one namespace.
func findingOf(a pipeline.NamespaceAudit, rule string) (rules.Finding, bool) {
	if a.Audit == nil {
		return rules.Finding{}, false
	}
	for _, f := range a.Audit.Result.Findings {
		if f.Rule == rule {
			return f, true
		}
	}
	return rules.Finding{}, false
}
