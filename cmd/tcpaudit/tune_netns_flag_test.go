package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/netns"
)

// TestTuneNetnsFromHost: tune --netns NAME, run from the host, reads the
// sysctls of the named namespace (a port range the host does not have) and
// offers its fix in the namespace's form, never as the host's drop-in.
func TestTuneNetnsFromHost(t *testing.T) {
	const narrow = "40000 40999"
	host, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		t.Skipf("no port range to compare with: %v", err)
	}
	if strings.Join(strings.Fields(string(host)), " ") == narrow {
		t.Skipf("the host's range is %s already", narrow)
	}
	ns := nstest.New(t)
	if out, err := exec.Command("ip", "netns", "exec", ns, "sysctl", "-w", "net.ipv4.ip_local_port_range="+narrow).CombinedOutput(); err != nil {
		t.Fatalf("sysctl -w in %s: %v: %s", ns, err, out)
	}
	r := tuneJSON(t, "--netns", ns, "--duration", "1s", "--interval", "500ms")
	if got := strings.Join(strings.Fields(proposalOf(t, r, "net.ipv4.ip_local_port_range").Current), " "); got != narrow {
		t.Errorf("tune --netns %s: ip_local_port_range %q, want the namespace's %q", ns, got, narrow)
	}
	code, _, stderr := runCLI(t, "tune", "--netns", ns, "--duration", "500ms", "--interval", "500ms", "--root", emptyRoot(t), "--diff")
	if code != exitOK || !strings.Contains(stderr, "is not the host's") || strings.Contains(stderr, "tcpaudit fix") {
		t.Errorf("tune --netns %s --diff: exit %d, stderr:\n%s", ns, code, stderr)
	}
}

// TestTuneAllNetns: tune --all-netns sizes each namespace with its own
// sysctls: two namespaces with different port ranges each show theirs;
// every namespace of the JSON has its skipped and report fields.
func TestTuneAllNetns(t *testing.T) {
	ranges := map[string]string{nstest.New(t): "41000 41999", nstest.New(t): "42000 43999"}
	for ns, r := range ranges {
		if out, err := exec.Command("ip", "netns", "exec", ns, "sysctl", "-w", "net.ipv4.ip_local_port_range="+r).CombinedOutput(); err != nil {
			t.Fatalf("sysctl -w in %s: %v: %s", ns, err, out)
		}
	}
	code, out, stderr := runCLI(t, "tune", "--all-netns", "--duration", "1s", "--interval", "500ms", "--format", "json")
	var doc struct {
		Namespaces []tunedNamespace `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != exitOK || err != nil {
		t.Fatalf("tune --all-netns: exit %d, %v\nstderr: %s", code, err, stderr)
	}
	var raw struct {
		Namespaces []map[string]json.RawMessage `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	for _, n := range raw.Namespaces {
		if _, ok := n["skipped"]; !ok {
			t.Errorf("namespace %s: no skipped field (want \"\" when observed)", n["id"])
		}
		if _, ok := n["report"]; !ok {
			t.Errorf("namespace %s: no report field (want null when skipped)", n["id"])
		}
	}
	if len(doc.Namespaces) == 0 || doc.Namespaces[0].Kind != netns.KindHost {
		t.Errorf("tune --all-netns: %d namespaces, want the host's first", len(doc.Namespaces))
	}
	seen := 0
	for _, n := range doc.Namespaces {
		want, ok := ranges[n.Name]
		if !ok {
			continue
		}
		seen++
		if n.Report == nil {
			t.Errorf("namespace %s skipped: %s", n.Name, n.Skipped)
			continue
		}
		if got := strings.Join(strings.Fields(proposalOf(t, *n.Report, "net.ipv4.ip_local_port_range").Current), " "); got != want {
			t.Errorf("namespace %s: ip_local_port_range %q, want %q", n.Name, got, want)
		}
	}
	if seen != len(ranges) {
		t.Errorf("tune --all-netns reported %d of the test's %d namespaces", seen, len(ranges))
	}
}
