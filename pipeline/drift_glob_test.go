package pipeline_test

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/pipeline"
)

// globTree sets rp_filter through globs, one interface key explicitly (it
// beats every glob) and one excluded (no glob sets it).
const globTree = "net.ipv4.conf.*.rp_filter = 2\n" +
	"net.ipv4.conf.e*.rp_filter = 1\n" +
	"net.ipv4.conf.ifb0.*_filter = 1\n" +
	"net.ipv4.conf.ifb1.rp_filter = 0\n" +
	"-net.ipv4.conf.lo.rp_filter\n"

// TestDriftGlobOracle: the keys runtime-config-drift reports for a tree of
// globs are the keys systemd-sysctl changes when it applies the tree, in a
// namespace made for the test with interfaces of its own, every key at 0.
func TestDriftGlobOracle(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	bin := systemdSysctl(t)
	for _, dev := range []string{"eth0", "ifb0", "ifb1"} {
		addLink(t, dev)
	}
	conf := "/proc/sys/net/ipv4/conf"
	files, _ := filepath.Glob(conf + "/*/*_filter")
	for _, f := range files {
		if err := os.WriteFile(f, []byte("0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root := sysctlTree(t, globTree)
	a := run(t, pipeline.Options{ProcRoot: "/proc", SysctlRoot: root})
	var drift []string
	for _, fd := range a.Result.Findings {
		if fd.Rule == "runtime-config-drift" && strings.Contains(fd.Observed, "_filter") {
			drift = append(drift, strings.Fields(fd.Observed)[0])
		}
	}
	before := readAll(t, files)
	if out, err := exec.Command(bin, filepath.Join(root, "etc/sysctl.d/60-tuning.conf")).CombinedOutput(); err != nil {
		t.Fatalf("systemd-sysctl: %v\n%s", err, out)
	}
	var changed []string
	for f, v := range readAll(t, files) {
		if v != before[f] {
			rel, _ := filepath.Rel("/proc/sys", f)
			changed = append(changed, strings.ReplaceAll(rel, "/", "."))
		}
	}
	slices.Sort(drift)
	slices.Sort(changed)
	if !slices.Equal(drift, changed) || len(changed) < 5 {
		t.Errorf("runtime-config-drift reports %v,\nsystemd-sysctl changes %v", drift, changed)
	}
}

// TestDriftGlobSnapshot: on a copied proc root the globs expand to the
// interface keys the copy holds.
func TestDriftGlobSnapshot(t *testing.T) {
	proc := t.TempDir()
	for _, dev := range []string{"all", "default", "eth0", "ifb0", ".hidden"} {
		for _, k := range []string{"rp_filter", "arp_filter"} {
			writeFile(t, filepath.Join(proc, "sys/net/ipv4/conf", dev, k), "0\n")
		}
	}
	writeFile(t, filepath.Join(proc, "sys/net/ipv4/conf/eth0.1/rp_filter"), "0\n")
	writeFile(t, filepath.Join(proc, "sys/net/ipv4/conf/lo/rp_filter"), "0\n")
	a := run(t, pipeline.Options{ProcRoot: proc, SysctlRoot: sysctlTree(t, globTree)})
	got := map[string]string{}
	for _, fd := range a.Result.Findings {
		if fd.Rule == "runtime-config-drift" {
			got[strings.Fields(fd.Observed)[0]] = strings.Fields(fd.Expected)[2]
		}
	}
	want := map[string]string{
		"net.ipv4.conf.all.rp_filter": "2", "net.ipv4.conf.default.rp_filter": "2", "net.ipv4.conf.eth0.rp_filter": "1",
		"net.ipv4.conf.eth0/1.rp_filter": "1", "net.ipv4.conf.ifb0.rp_filter": "1", "net.ipv4.conf.ifb0.arp_filter": "1",
	}
	if !maps.Equal(got, want) {
		t.Errorf("drift %v, want %v", got, want)
	}
	keys, err := pipeline.Keys(proc, sysctlTree(t, globTree))
	if err != nil || !slices.Contains(keys, "net.ipv4.conf.eth0/1.rp_filter") || slices.ContainsFunc(keys, func(k string) bool { return strings.Contains(k, "hidden") }) {
		t.Errorf("keys to snapshot %v (%v): want the interfaces', no hidden one", keys, err)
	}
}

func systemdSysctl(t *testing.T) string {
	t.Helper()
	for _, bin := range []string{"/usr/lib/systemd/systemd-sysctl", "/lib/systemd/systemd-sysctl"} {
		if _, err := os.Stat(bin); err == nil {
			return bin
		}
	}
	t.Skip("systemd-sysctl not installed")
	return ""
}

// addLink adds an interface of a type this kernel has: dummy, else ifb,
// else a bridge.
func addLink(t *testing.T, name string) {
	t.Helper()
	var msgs []string
	for _, kind := range []string{"dummy", "ifb", "bridge"} {
		out, err := exec.Command("ip", "link", "add", name, "type", kind).CombinedOutput()
		if err == nil {
			return
		}
		msgs = append(msgs, kind+": "+strings.TrimSpace(string(out)))
	}
	t.Skipf("cannot add interface %s: %s", name, strings.Join(msgs, "; "))
}

func readAll(t *testing.T, files []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = strings.TrimSpace(string(b))
	}
	return out
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
