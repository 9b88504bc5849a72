package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// writeTree writes files (slash paths under the proc root) into a new
// directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestListenPortReservedInLongList: a listener on 45000 inside the range is
// fine when ip_local_reserved_ports lists it, even at the end of a value
// longer than the 128 bytes procfs's SysctlStrings reads.
func TestListenPortReservedInLongList(t *testing.T) {
	var ports []string
	for p := 40000; p < 40100; p += 2 {
		ports = append(ports, fmt.Sprint(p))
	}
	reserved := strings.Join(append(ports, "45000"), ",")
	if len(reserved) <= 128 {
		t.Fatalf("the reserved list must be longer than 128 bytes, is %d", len(reserved))
	}
	root := writeTree(t, map[string]string{
		"sys/net/ipv4/ip_local_port_range":     "32768\t60999\n",
		"sys/net/ipv4/ip_local_reserved_ports": reserved + "\n",
		"net/tcp": "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
			"   0: 00000000:AFC8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n",
	})
	engine := rules.NewEngine()
	f, err := audit.Gather(audit.Options{ProcRoot: root, Keys: engine.Keys()})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Sysctls["net.ipv4.ip_local_reserved_ports"]; got != reserved {
		t.Fatalf("ip_local_reserved_ports read as %q, want the whole %d-byte value", got, len(reserved))
	}
	cfg, err := profiles.Load("web-server")
	if err != nil {
		t.Fatal(err)
	}
	res := engine.Evaluate(f, cfg)
	if got := status(res, "listen-port-in-ephemeral-range"); got != rules.Passed {
		t.Errorf("listen-port-in-ephemeral-range: %s, want passed (45000 is reserved)", got)
	}
}
