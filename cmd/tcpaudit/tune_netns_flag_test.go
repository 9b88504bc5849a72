package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
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
