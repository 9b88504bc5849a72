//go:build linux && !tcpaudit_portable

package pipeline_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestRunNamespaces audits a namespace with a narrowed port range and one
// whose process exits between discovery and the audit: the first fails
// ephemeral-port-range and judges the rules of global keys with the host's
// values (the host's namespace is not among them), reads no sysctl.d tree; the second is skipped, with
// the reason, and the run is no error. Merge tags the findings with the
// namespace and lists both.
func TestRunNamespaces(t *testing.T) {
	named := nstest.New(t)
	if out, err := exec.Command("ip", "netns", "exec", named, "sysctl", "-qw", "net.ipv4.ip_local_port_range=40000 40100").CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v: %s", err, out)
	}
	held := exec.Command("unshare", "--net", "--", "sleep", "120")
	if err := held.Start(); err != nil {
		t.Skipf("unshare: %v", err)
	}
	for i := 0; i < 500 && !execed(held.Process.Pid); i++ { // until unshare has made the namespace
		time.Sleep(10 * time.Millisecond)
	}
	n, err := netns.Resolve(named, "/proc")
	if err != nil {
		t.Fatal(err)
	}
	h, err := netns.Resolve(strconv.Itoa(held.Process.Pid), "/proc")
	if err != nil {
		t.Fatal(err)
	}
	held.Process.Kill()
	held.Wait()
	audits, err := pipeline.RunNamespaces(context.Background(), pipeline.Options{ProcRoot: "/proc", Today: time.Now()}, []netns.Namespace{n, h})
	if err != nil {
		t.Fatal(err)
	}
	if audits[1].Audit != nil || !strings.HasPrefix(audits[1].Skipped, "gone") {
		t.Errorf("the namespace of the exited process: skipped %q, audit %v; want skipped as gone", audits[1].Skipped, audits[1].Audit != nil)
	}
	a := audits[0].Audit
	if a == nil {
		t.Fatalf("%s was not audited: %s", named, audits[0].Skipped)
	}
	if a.Facts != nil {
		t.Error("the facts of a namespace other than the host's were kept")
	}
	res := pipeline.Merge(audits)
	status := map[string]rules.Evaluation{}
	for _, e := range res.Evaluations {
		status[e.Rule] = e
	}
	if e := status["runtime-config-drift"]; e.Status != rules.Skipped || !strings.Contains(e.Reason, "host namespace only") {
		t.Errorf("runtime-config-drift in a child namespace: %+v", e)
	}
	if e := status["tcp-memory-pressure"]; e.Status == rules.Skipped {
		t.Errorf("tcp-memory-pressure (tcp_mem, a global key) in a child namespace audited without the host's: %+v; want judged with the host's value", e)
	}
	found := false
	for _, f := range res.Findings {
		if f.Namespace != n.ID {
			t.Errorf("finding %s carries namespace %q, want %q", f.Rule, f.Namespace, n.ID)
		}
		found = found || f.Rule == "ephemeral-port-range"
	}
	if !found || len(res.Namespaces) != 2 || res.Namespaces[1].Skipped == "" {
		t.Errorf("merged: ephemeral-port-range found %v, namespaces %+v", found, res.Namespaces)
	}
}

// execed reports whether unshare has exec'd sleep.
func execed(pid int) bool {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return string(b) == "sleep\n"
}
