package rules

import (
	"strconv"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
)

// TestEffectiveOne follows include/linux/inetdevice.h and the IPv6 readers
// (docs/kernel-facts.md §13) case by case.
func TestEffectiveOne(t *testing.T) {
	for _, c := range []struct {
		name     string
		how      combine
		all, own int64
		fwd      int64
		want     int64
	}{
		{"max takes the interface when higher", combineMax, 0, 2, 0, 2},
		{"max takes all when higher", combineMax, 1, 0, 0, 1},
		{"or: all=0 does not turn it off", combineOr, 0, 1, 0, 1},
		{"or: all=1 turns it on", combineOr, 1, 0, 0, 1},
		{"and: all=0 wins", combineAnd, 0, 1, 0, 0},
		{"and: both needed", combineAnd, 1, 1, 0, 1},
		{"redirects on a host: or", combineRedirects, 0, 1, 0, 1},
		{"redirects on a forwarding interface: and", combineRedirects, 0, 1, 1, 0},
		{"min: all=-1 rejects", combineMin, -1, 0, 0, -1},
		{"ipv6 redirects: all is ignored", combineRedirects6, 0, 1, 0, 1},
		{"ipv6 redirects: all=1 does not turn them on", combineRedirects6, 1, 0, 0, 0},
		{"ipv6 redirects on a forwarding interface are ignored", combineRedirects6, 0, 1, 1, 0},
		{"ra 1 without forwarding accepts", combineRA, 0, 1, 0, 1},
		{"ra 1 with forwarding ignores", combineRA, 0, 1, 1, 0},
		{"ra 2 with forwarding accepts", combineRA, 0, 2, 1, 1},
		{"ra 3 without forwarding accepts (any non-zero)", combineRA, 0, 3, 0, 1},
		{"ra -1 without forwarding accepts (any non-zero)", combineRA, 0, -1, 0, 1},
		{"ra 3 with forwarding ignores (only 2 counts)", combineRA, 0, 3, 1, 0},
		{"ipv6 redirects -1 are accepted (any non-zero)", combineRedirects6, 0, -1, 0, 1},
	} {
		dev := audit.DeviceConf{"x": itoa(c.own), "forwarding": itoa(c.fwd)}
		got, ok := effectiveOne(dev, c.all, true, "eth0", "x", c.how)
		if !ok || got.Value != c.want {
			t.Errorf("%s: got %d (%v, %q), want %d", c.name, got.Value, ok, got.How, c.want)
		}
	}
}

func itoa(n int64) string {
	return strconv.FormatInt(n, 10)
}

func TestConfKey(t *testing.T) {
	if got := confKey("ipv4", "eth0.100", "rp_filter"); got != "net.ipv4.conf.eth0/100.rp_filter" {
		t.Errorf("confKey = %q", got)
	}
}

// TestEffectiveFromSysctls: facts without a conf tree (a configuration
// linted on its own) are judged on conf/all and conf/default alone.
func TestEffectiveFromSysctls(t *testing.T) {
	f := audit.NewFacts(audit.Facts{Sysctls: map[string]string{
		"net.ipv4.conf.all.rp_filter":     "0",
		"net.ipv4.conf.default.rp_filter": "2",
	}})
	got := effectiveValues(f, "ipv4", "rp_filter", combineMax)
	if len(got) != 1 || got[0].Device != newInterfaces || got[0].Value != 2 {
		t.Errorf("got %+v, want new interfaces = 2", got)
	}
	f.Conf.Read = true
	if got := effectiveValues(f, "ipv4", "rp_filter", combineMax); got != nil {
		t.Errorf("with a conf tree read and absent: %+v, want nothing", got)
	}
}
