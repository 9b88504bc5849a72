package sysctlconf

import (
	"strings"
	"testing"
)

// TestRenderDropInWriteOrder checks that keys whose write resets others come
// before the keys they would reset.
func TestRenderDropInWriteOrder(t *testing.T) {
	changes := []Change{
		{Key: "net.ipv4.tcp_syncookies", Value: "1"},
		{Key: "net.ipv4.conf.eth0.accept_redirects", Value: "0"},
		{Key: "net.ipv4.conf.all.accept_redirects", Value: "0"},
		{Key: "net.ipv4.conf.default.accept_redirects", Value: "0"},
		{Key: "net.ipv4.ip_forward", Value: "1"},
	}
	out := RenderDropIn(nil, changes)
	want := []string{
		"net.ipv4.ip_forward",
		"net.ipv4.conf.default.accept_redirects",
		"net.ipv4.conf.all.accept_redirects",
		"net.ipv4.conf.eth0.accept_redirects",
		"net.ipv4.tcp_syncookies",
	}
	last := -1
	for _, k := range want {
		i := strings.Index(out, k+" =")
		if i < 0 {
			t.Fatalf("drop-in lacks %s:\n%s", k, out)
		}
		if i < last {
			t.Errorf("%s is written too early:\n%s", k, out)
		}
		last = i
	}
}
