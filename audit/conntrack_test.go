package audit_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
)

const ctStatHeader = "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart"

func TestParseConntrackStatsSumsCPUs(t *testing.T) {
	in := ctStatHeader + "\n" +
		"0000002a  00000000 00000000 00000000 00000003 00000000 00000000 00000000 00000000 00000010 0000000a 00000001 00000000  00000000 00000000 00000000 00000002\n" +
		"0000002a  00000000 00000000 00000000 00000001 00000000 00000000 00000000 00000000 00000001 000000ff 00000000 00000000  00000000 00000000 00000000 00000000\n"
	got, err := audit.ParseConntrackStats(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int64{"entries": 42, "invalid": 4, "insert_failed": 17, "drop": 265, "early_drop": 1, "search_restart": 2} {
		if got[name] != want {
			t.Errorf("%s = %d, want %d", name, got[name], want)
		}
	}
}

func TestParseConntrackStatsMalformed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int
	}{
		{"", 1},
		{"entries drop\n00000001\n", 2},
		{"entries drop\n00000001 0000000g\n", 2},
	} {
		_, err := audit.ParseConntrackStats(strings.NewReader(tc.in))
		var pe *audit.ParseError
		if !errors.As(err, &pe) || pe.Line != tc.line || !errors.Is(err, audit.ErrMalformed) {
			t.Errorf("%q: err = %v, want a malformed error at line %d", tc.in, err, tc.line)
		}
	}
}

// TestGatherConntrack reads a proc root with conntrack's files, then one
// without: the source is skipped with its reason.
func TestGatherConntrack(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("sys/net/ipv4/tcp_fin_timeout", "60\n")
	f, err := audit.Gather(audit.Options{ProcRoot: root, Keys: []string{"net.ipv4.tcp_fin_timeout"}})
	if err != nil {
		t.Fatal(err)
	}
	if why, ok := f.NotRead(audit.SourceConntrack); !ok || !strings.Contains(why, "conntrack not in use") || f.Conntrack != nil {
		t.Errorf("without conntrack: NotRead = %q, %v; Conntrack = %v", why, ok, f.Conntrack)
	}
	write("sys/net/netfilter/nf_conntrack_count", "0\n")
	write("net/stat/nf_conntrack", "entries drop\n00000000 00000000\n00000000 00000000\n")
	if f, err = audit.Gather(audit.Options{ProcRoot: root, Keys: []string{"net.ipv4.tcp_fin_timeout"}}); err != nil {
		t.Fatal(err)
	}
	if why, ok := f.NotRead(audit.SourceConntrack); !ok || !strings.Contains(why, "used by no rule") {
		t.Errorf("empty table, statistics all zero: NotRead = %q, %v", why, ok)
	}
	write("sys/net/netfilter/nf_conntrack_count", "7\n")
	write("sys/net/netfilter/nf_conntrack_max", "65536\n")
	write("sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait", "120\n")
	write("net/stat/nf_conntrack", "entries drop\n00000007 00000002\n00000007 00000003\n")
	if f, err = audit.Gather(audit.Options{ProcRoot: root, Keys: []string{"net.ipv4.tcp_fin_timeout"}}); err != nil {
		t.Fatal(err)
	}
	if !f.Has(audit.SourceConntrack) {
		t.Fatal("conntrack source not read")
	}
	want := &audit.Conntrack{
		Sysctls: map[string]int64{audit.KeyConntrackCount: 7, audit.KeyConntrackMax: 65536, audit.ConntrackTimeoutKey("time_wait"): 120},
		Stats:   audit.ConntrackStats{"entries": 7, "drop": 5},
	}
	if d := cmp.Diff(want, f.Conntrack); d != "" {
		t.Errorf("conntrack (-want +got):\n%s", d)
	}
}

// FuzzParseConntrackStats checks that the parser never panics and that
// what it accepts has exactly the header's columns, none negative.
func FuzzParseConntrackStats(f *testing.F) {
	f.Add([]byte(ctStatHeader + "\n00000001  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000\n"))
	f.Add([]byte("entries drop\n"))
	f.Add([]byte("entries drop\nffffffffffffffff 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := audit.ParseConntrackStats(strings.NewReader(string(data)))
		if err != nil {
			if !errors.As(err, new(*audit.ParseError)) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		lines := strings.SplitN(string(data), "\n", 2)
		if len(s) != len(uniq(strings.Fields(lines[0]))) {
			t.Fatalf("%d columns, header %q", len(s), lines[0])
		}
		for k, v := range s {
			if v < 0 {
				t.Fatalf("%s = %d", k, v)
			}
		}
	})
}

func uniq(s []string) map[string]bool {
	m := make(map[string]bool)
	for _, x := range s {
		m[x] = true
	}
	return m
}

func TestParseConntrackTableByState(t *testing.T) {
	in := "ipv4     2 tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=40000 dport=80 src=127.0.0.1 dst=127.0.0.1 sport=80 dport=40000 [ASSURED] mark=0 use=1\n" +
		"ipv4     2 tcp      6 119 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=40001 dport=80 src=127.0.0.1 dst=127.0.0.1 sport=80 dport=40001 [ASSURED] mark=0 use=1\n" +
		"ipv4     2 tcp      6 118 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=40002 dport=80 src=127.0.0.1 dst=127.0.0.1 sport=80 dport=40002 [ASSURED] mark=0 use=1\n" +
		"ipv4     2 udp      17 29 src=127.0.0.1 dst=127.0.0.53 sport=5000 dport=53 [UNREPLIED] src=127.0.0.53 dst=127.0.0.1 sport=53 dport=5000 mark=0 use=1\n"
	got, err := audit.ParseConntrackTable(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]int64{"ESTABLISHED": 1, "TIME_WAIT": 2}, got); d != "" {
		t.Errorf("states (-want +got):\n%s", d)
	}
	if _, err := audit.ParseConntrackTable(strings.NewReader("ipv4 2 tcp\n")); !errors.Is(err, audit.ErrMalformed) {
		t.Errorf("short line: err = %v, want malformed", err)
	}
}
