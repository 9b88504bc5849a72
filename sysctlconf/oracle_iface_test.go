package sysctlconf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestDottedInterfaceOracle checks docs/sysctl-d-format.md §6 against the real
// programs on an interface whose name has a dot (eth0.7, one end of a veth pair in
// a namespace made for the test): `sysctl -a` prints its keys as Canonical
// does (net.ipv4.conf.eth0/7.rp_filter), the '/' form written in a file
// reaches the interface under systemd-sysctl and procps, and the '.' form
// (net.ipv4.conf.eth0.7.log_martians) is read as a path that does not
// exist, so neither program changes the interface.
func TestDottedInterfaceOracle(t *testing.T) {
	if _, err := exec.LookPath("sysctl"); err != nil {
		t.Skip("sysctl(8) not installed")
	}
	file := filepath.Join(t.TempDir(), "iface.conf")
	text := "net.ipv4.conf.eth0/7.rp_filter = 2\nnet.ipv4.conf.eth0.7.log_martians = 1\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ResolveFiles([]string{file})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) != 2 || c.Entries[0].Path != "net/ipv4/conf/eth0.7/rp_filter" || c.Entries[1].Path != "net/ipv4/conf/eth0/7/log_martians" {
		t.Fatalf("parsed %+v", c.Entries)
	}
	commands := map[string][]string{"procps": {"sysctl", "-q", "-p", file}}
	if bin := systemdSysctlPath(); bin != "" {
		commands["systemd"] = []string{bin, file}
	}
	for name, argv := range commands {
		t.Run(name, func(t *testing.T) {
			ns := dottedLinkNetns(t)
			all, err := exec.Command("ip", "netns", "exec", ns, "sysctl", "-a").Output()
			if err != nil {
				t.Fatalf("sysctl -a: %v", err)
			}
			if want := Canonical("net/ipv4/conf/eth0.7/rp_filter") + " = "; !strings.Contains(string(all), "\n"+want) {
				t.Errorf("sysctl -a does not print %q", want)
			}
			// The '.' line fails (procps exits 1 on it); the values tell.
			_ = exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...).Run()
			got := nsSysctl(t, ns, []string{"net.ipv4.conf.eth0/7.rp_filter", "net.ipv4.conf.eth0/7.log_martians"})
			if got["net.ipv4.conf.eth0/7.rp_filter"] != "2" || got["net.ipv4.conf.eth0/7.log_martians"] != "0" {
				t.Errorf("after %s: %v, want rp_filter 2 (the '/' line) and log_martians 0 (the '.' line misses)", name, got)
			}
		})
	}
}

// dottedLinkNetns makes a namespace with a link named eth0.7 (a veth
// pair: every kernel with network namespaces has veth).
func dottedLinkNetns(t *testing.T) string {
	t.Helper()
	ns := nstest.New(t)
	if out, err := exec.Command("ip", "-n", ns, "link", "add", "eth0.7", "type", "veth", "peer", "name", "peer7").CombinedOutput(); err != nil {
		t.Skipf("cannot add a veth link: %v: %s", err, out)
	}
	return ns
}
