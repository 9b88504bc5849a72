package audit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadConf reads per-interface values from directory entries, so an
// interface named with a dot (a VLAN) is read, not split into a path.
func TestReadConf(t *testing.T) {
	root := t.TempDir()
	write := func(rel, v string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for dev, v := range map[string]string{"all": "0", "default": "1", "eth0": "2", "eth0.100": "1"} {
		write("sys/net/ipv4/conf/"+dev+"/rp_filter", v)
	}
	write("sys/net/ipv4/conf/eth0/forwarding", "1")
	f, err := Gather(Options{ProcRoot: root, Keys: []string{"net.ipv4.conf.all.rp_filter", "net.ipv4.conf.all.forwarding", "net.ipv6.conf.all.accept_ra"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &FamilyConf{
		All:     DeviceConf{"rp_filter": "0"},
		Default: DeviceConf{"rp_filter": "1"},
		Devices: map[string]DeviceConf{
			"eth0":     {"rp_filter": "2", "forwarding": "1"},
			"eth0.100": {"rp_filter": "1"},
		},
	}
	if d := cmp.Diff(want, f.Conf.IPv4); d != "" {
		t.Errorf("IPv4 conf (-want +got):\n%s", d)
	}
	if f.Conf.IPv6 != nil {
		t.Errorf("IPv6 conf without a directory: %+v, want nil", f.Conf.IPv6)
	}
	if got := f.Conf.IPv4.Names(); !cmp.Equal(got, []string{"eth0", "eth0.100"}) {
		t.Errorf("Names() = %v", got)
	}
}
