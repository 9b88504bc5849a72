package sysctlconf

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestExpand: a glob matches regular files under the sys directory, one
// component per wildcard, hidden names only explicitly; '..' is refused.
func TestExpand(t *testing.T) {
	sys := t.TempDir()
	for _, f := range []string{"net/ipv4/conf/eth0/rp_filter", "net/ipv4/conf/eth0.1/rp_filter", "net/ipv4/conf/.h/rp_filter",
		"net/ipv4/conf/lo/arp_filter", "net/ipv4/conf/lo/rp_filter", "net/ipv4/tcp_rmem", "secret"} {
		p := filepath.Join(sys, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for pattern, want := range map[string][]string{
		"net.ipv4.conf.*.rp_filter":     {"net.ipv4.conf.eth0.rp_filter", "net.ipv4.conf.eth0/1.rp_filter", "net.ipv4.conf.lo.rp_filter"},
		"net.ipv4.conf.lo.*_filter":     {"net.ipv4.conf.lo.arp_filter", "net.ipv4.conf.lo.rp_filter"},
		"net.ipv4.conf.[!e]*.rp_filter": {"net.ipv4.conf.lo.rp_filter"},
		"net.ipv4.conf.*":               nil, // directories are not keys
		"net/ipv4/conf/.h/*":            {"net.ipv4.conf./h.rp_filter"},
		"net.*.tcp_rmem":                {"net.ipv4.tcp_rmem"},
	} {
		got, err := Expand(sys, pattern)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Expand(%s) = %q, %v; want %q", pattern, got, err, want)
		}
	}
	if got, err := Expand(filepath.Join(sys, "net"), "ipv4/../../secre*"); err == nil || len(got) > 0 {
		t.Errorf("a '..' glob expands to %q, %v", got, err)
	}
}
