package audit

import (
	"fmt"
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

// BenchmarkReadConf reads the hardening settings of 500 interfaces (a
// busy Kubernetes node's veths) from a fixture tree.
func BenchmarkReadConf(b *testing.B) {
	root := b.TempDir()
	v4 := []string{"rp_filter", "accept_redirects", "secure_redirects", "send_redirects", "accept_source_route", "log_martians", "forwarding"}
	v6 := []string{"accept_ra", "accept_redirects", "accept_source_route", "forwarding"}
	var keys []string
	for fam, settings := range map[string][]string{IPv4: v4, IPv6: v6} {
		for _, s := range settings {
			keys = append(keys, "net."+fam+".conf.all."+s)
		}
		for i := -2; i < 500; i++ {
			dev := fmt.Sprintf("veth%d", i)
			switch i {
			case -2:
				dev = ConfAll
			case -1:
				dev = ConfDefault
			}
			dir := filepath.Join(root, "sys", "net", fam, "conf", dev)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			for _, s := range settings {
				if err := os.WriteFile(filepath.Join(dir, s), []byte("1\n"), 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		conf, err := FS{root: root}.Conf(keys)
		if err != nil {
			b.Fatal(err)
		}
		if len(conf.IPv4.Devices) != 500 {
			b.Fatalf("%d interfaces", len(conf.IPv4.Devices))
		}
	}
}
