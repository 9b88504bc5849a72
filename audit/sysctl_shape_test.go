package audit_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestGatherMalformedSysctl: a sysctl value that is not what the kernel
// prints (three fields in ip_local_port_range, a word in a number) is a
// *ParseError naming the file, never a value for the rules to judge.
func TestGatherMalformedSysctl(t *testing.T) {
	for _, c := range []struct{ key, file, value string }{
		{audit.PortRangeKey, "sys/net/ipv4/ip_local_port_range", "60999 32768 7\n"},
		{"net.ipv4.tcp_fin_timeout", "sys/net/ipv4/tcp_fin_timeout", "sixty\n"},
		{"net.ipv4.tcp_rmem", "sys/net/ipv4/tcp_rmem", "4096 131072\n"},
	} {
		root := t.TempDir()
		p := filepath.Join(root, filepath.FromSlash(c.file))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c.value), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := audit.Gather(audit.Options{ProcRoot: root, Keys: []string{c.key}})
		var pe *audit.ParseError
		if !errors.As(err, &pe) || pe.File != p || !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s = %q: error %v, want a *ParseError naming %s", c.key, c.value, err, p)
		}
	}
}
