package lint

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestMissingKeyOracle checks what lint-unknown-key says with the real
// programs, in a namespace made for the test: systemd-sysctl FILE skips a
// missing key with exit 0, procps sysctl -p FILE fails on it with exit 1,
// with or without '-' before the key.
func TestMissingKeyOracle(t *testing.T) {
	if _, err := exec.LookPath("sysctl"); err != nil {
		t.Skip("sysctl(8) not installed")
	}
	ns := nstest.New(t)
	for _, line := range []string{"net.ipv4.tcp_no_such_key = 1", "-net.ipv4.tcp_no_such_key = 1"} {
		file := filepath.Join(t.TempDir(), "missing.conf")
		if err := os.WriteFile(file, []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := exec.Command("ip", "netns", "exec", ns, "sysctl", "-q", "-p", file).Run(); err == nil {
			t.Errorf("%q: sysctl -p exit 0, lint says it fails", line)
		}
		for _, bin := range []string{"/usr/lib/systemd/systemd-sysctl", "/lib/systemd/systemd-sysctl"} {
			if _, err := os.Stat(bin); err == nil {
				if out, err := exec.Command("ip", "netns", "exec", ns, bin, file).CombinedOutput(); err != nil {
					t.Errorf("%q: systemd-sysctl: %v (lint says it skips the key with exit 0)\n%s", line, err, out)
				}
				break
			}
		}
		got := lintPaths(t, "/proc", file).Findings
		if len(got) != 1 || got[0].Rule != "lint-unknown-key" {
			t.Errorf("%q: lint findings %+v, want one lint-unknown-key", line, got)
		}
	}
}
