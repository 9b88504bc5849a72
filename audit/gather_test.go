package audit_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/fixture"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

// gatherRoot is a small proc tree with net/tcp but no net/tcp6 or
// net/sockstat6, as in a host booted with ipv6.disable=1.
const gatherRoot = "testdata/gather/proc"

var gatherKeys = []string{"net.ipv4.tcp_fin_timeout", "net.core.somaxconn", "net.ipv4.tcp_max_orphans"}

// TestGatherFixture reads every source of the fixture tree.
func TestGatherFixture(t *testing.T) {
	skipBigEndian(t)
	f, err := audit.Gather(audit.Options{ProcRoot: gatherRoot, Keys: gatherKeys})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(audit.Kernel{Release: "6.1.0-18-amd64", Major: 6, Minor: 1, Known: true}, f.Kernel); d != "" {
		t.Errorf("kernel (-want +got):\n%s", d)
	}
	wantSysctls := map[string]string{audit.PortRangeKey: "32768 60999", "net.ipv4.tcp_fin_timeout": "60", "net.core.somaxconn": "4096"}
	if d := cmp.Diff(wantSysctls, f.Sysctls); d != "" {
		t.Errorf("sysctls (-want +got):\n%s", d)
	}
	if _, ok := f.Absent["net.ipv4.tcp_max_orphans"]; !ok || len(f.Absent) != 1 {
		t.Errorf("absent = %v, want only net.ipv4.tcp_max_orphans", f.Absent)
	}
	wantMissing := map[audit.Source]string{audit.SourceTCP6: "not present", audit.SourceSockstat6: "not present",
		audit.SourceConntrack: "not present: conntrack not in use in this network namespace (no net.netfilter.nf_conntrack_count)"}
	if d := cmp.Diff(wantMissing, notRead(f)); d != "" {
		t.Errorf("missing (-want +got):\n%s", d)
	}
	for _, s := range []audit.Source{audit.SourceRelease, audit.SourceSockstat} {
		if !f.Has(s) {
			t.Errorf("Has(%s) = false", s)
		}
	}
	if f.Has(audit.SourceConfig) {
		t.Error("Has(sysctl.d) = true: Gather reads no configuration")
	}
	for _, s := range []audit.Source{audit.SourceTCP, audit.SourceSockets, audit.SourceNetstat, audit.SourceSNMP, audit.SourceProcesses} {
		if !f.Has(s) {
			t.Errorf("Has(%s) = false", s)
		}
	}
	if f.Has(audit.SourceTCP6) {
		t.Error("Has(net/tcp6) = true for a missing file")
	}
	checkGatherCensus(t, f)
	checkGatherStats(t, f)
}

// notRead maps every source the facts record as not read to the reason.
func notRead(f *audit.Facts) map[audit.Source]string {
	out := map[audit.Source]string{}
	for _, s := range audit.Sources() {
		if why, ok := f.NotRead(s.Source); ok {
			out[s.Source] = why
		}
	}
	return out
}

// newFS returns the reader of a proc root.
func newFS(t *testing.T, root string) audit.FS {
	t.Helper()
	fsys, err := audit.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// liveFS reads this host's /proc.
func liveFS(t *testing.T) audit.FS {
	t.Helper()
	fsys, err := audit.NewFS("/proc")
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func checkGatherCensus(t *testing.T, f *audit.Facts) {
	t.Helper()
	if f.Census == nil {
		t.Fatal("no census")
	}
	want := censusView{
		States:    map[string]int{"LISTEN": 1, "ESTABLISHED": 2, "CLOSE_WAIT": 3, "TIME_WAIT": 1},
		Listeners: []audit.Listener{{Addr: ipAny4, Port: 80, AcceptQueue: 2, Inode: 4000}},
		Ephemeral: map[audit.Flow]audit.FlowUse{{Local: ip10_1, Remote: ip10_2, RemotePort: 443}: {Sockets: 2, TimeWait: 1}},
		CloseWait: []uint64{5001, 5002, 5003},
	}
	if d := cmp.Diff(want, viewOf(f.Census), addrCmp); d != "" {
		t.Errorf("census (-want +got):\n%s", d)
	}
	// Gather keeps no holder per CLOSE_WAIT socket (none of them has
	// tcp_info here: the census came from /proc).
	wantOwners := &audit.Attribution{Owners: []audit.Owner{{PID: 42, Command: "app", Sockets: 2}, {PID: 7, Command: "worker", Sockets: 1}}, Root: os.Geteuid() == 0,
		Method: audit.AttributionFDScan, Batches: 1}
	if d := cmp.Diff(wantOwners, f.Owners); d != "" {
		t.Errorf("owners (-want +got):\n%s", d)
	}
}

func checkGatherStats(t *testing.T, f *audit.Facts) {
	t.Helper()
	for _, c := range []struct {
		section, name string
		want          int64
	}{{"TcpExt", "ListenOverflows", 4}, {"TcpExt", "ListenDrops", 5}, {"IpExt", "InOctets", 1234}, {"Tcp", "MaxConn", -1}, {"Ip", "Forwarding", 2}} {
		if v, ok := f.Counters.Get(c.section, c.name); !ok || v != c.want {
			t.Errorf("counter %s %s = %d, %v; want %d", c.section, c.name, v, ok, c.want)
		}
	}
	if v, ok := f.Sockstat.Get("TCP", "tw"); !ok || v != 1 {
		t.Errorf("sockstat TCP tw = %d, %v; want 1", v, ok)
	}
}

// TestGatherMalformed breaks one file of a copy of the fixture and expects
// an error naming that file and line.
func TestGatherMalformed(t *testing.T) {
	tests := []struct {
		file, content string
		line          int
	}{
		{"net/tcp", tcpFile(tcp4Header, fullLine(0, hexLo+":0050", hexAny+":0000", "0A", "00000000", 1), "   1: zz"), 3},
		{"net/tcp6", "not a header\n", 1},
		{"net/tcp6", tcpFile(tcp6Header, fullLine(0, hexLo+":0050", hexAny+":0000", "0A", "00000000", 1)), 2},
		{"net/sockstat", "sockets: used 1\nTCP: inuse\n", 2},
		{"net/sockstat6", "TCP6 inuse 1\n", 1},
		{"net/netstat", "TcpExt: A B\nTcpExt: 1\n", 2},
		{"net/snmp", "Tcp: A\nTcp: x\n", 2},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.file, "/", "_"), func(t *testing.T) {
			root := fixture.Copy(t, gatherRoot)
			path := filepath.Join(root, tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := audit.Gather(audit.Options{ProcRoot: root, Keys: gatherKeys})
			var pe *audit.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.File != path || pe.Line != tt.line {
				t.Errorf("error at %s:%d, want %s:%d", pe.File, pe.Line, path, tt.line)
			}
			if !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("message %q does not start with the file name", err)
			}
		})
	}
}

// TestGatherBadRoot rejects roots that are not proc trees.
func TestGatherBadRoot(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, root := range map[string]string{
		"missing": filepath.Join(t.TempDir(), "nope"), "file": file, "empty": t.TempDir(),
	} {
		if f, err := audit.Gather(audit.Options{ProcRoot: root, Keys: gatherKeys}); err == nil {
			t.Errorf("%s root: want an error, got facts %+v", name, f)
		}
	}
	_, err := audit.Gather(audit.Options{ProcRoot: filepath.Join(t.TempDir(), "nope")})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing root: err = %v, want fs.ErrNotExist", err)
	}
}
