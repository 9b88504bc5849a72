package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/tune"
)

// TestTuneNetnsGlobalKeys: tune --netns NAME, run from the host, sizes the
// global keys against the host's values, read once on the host (a child
// namespace has no tcp_max_orphans), and says they are host-wide.
func TestTuneNetnsGlobalKeys(t *testing.T) {
	ns := nstest.New(t)
	host, err := os.ReadFile("/proc/sys/net/ipv4/tcp_max_orphans")
	if err != nil {
		t.Skipf("the host shows no tcp_max_orphans: %v", err)
	}
	r := tuneJSON(t, "--netns", ns, "--duration", "500ms", "--interval", "500ms")
	for _, key := range tune.GlobalKeys() {
		p := proposalOf(t, r, key)
		if !p.HostWide || p.Current == "" || !strings.Contains(p.Formula, "only the host can change it") {
			t.Errorf("%s in %s: host-wide %v, current %q, formula %q; want the host's value, host-wide", key, ns, p.HostWide, p.Current, p.Formula)
		}
	}
	if got, want := proposalOf(t, r, "net.ipv4.tcp_max_orphans").Current, strings.TrimSpace(string(host)); got != want {
		t.Errorf("tcp_max_orphans in %s: %q, want the host's %q", ns, got, want)
	}
	if p := proposalOf(t, r, "net.ipv4.ip_local_port_range"); p.HostWide {
		t.Errorf("ip_local_port_range is per namespace, marked host-wide")
	}
}

// TestTuneNetnsGlobalFix: the fix of a namespace the test made renders a
// proposed global key as a note for the host, never as a command run in
// the namespace (ip netns exec NAME sysctl -w would act on the host's
// value), while a per-namespace key comes in the namespace's form.
func TestTuneNetnsGlobalFix(t *testing.T) {
	ns := nstest.New(t)
	o := tuneOptions{ProcRoot: "/proc", Netns: ns, Root: emptyRoot(t), Diff: true}
	tg, err := o.target()
	if err != nil {
		t.Fatal(err)
	}
	var facts *audit.Facts
	err = tg.do(func() error {
		facts, err = tuneFacts(tg.fsys)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := tune.Report{Proposals: []tune.Proposal{
		{Key: "net.ipv4.tcp_max_orphans", Proposed: "262144", Verdict: tune.Change, HostWide: true, Formula: "peak 87,382 orphaned sockets × 2 × 1.5 = 262,146"},
		{Key: "net.ipv4.ip_local_port_range", Proposed: "20000 65535", Verdict: tune.Change, Formula: "peak 500 new connections/s"},
	}}
	var out, errs bytes.Buffer
	if err := writeTuneFix(streams{out: &out, err: &errs}, facts, rep, o, tg); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if strings.Contains(text, "sysctl -w net.ipv4.tcp_max_orphans") || strings.Contains(text, "sysctl -w 'net.ipv4.tcp_max_orphans") {
		t.Errorf("a global key offered in the namespace's form:\n%s", text)
	}
	if !strings.Contains(text, "# net.ipv4.tcp_max_orphans = 262144 belongs to the host") || !strings.Contains(text, "# tune: peak 87,382 orphaned sockets") {
		t.Errorf("tcp_max_orphans not noted for the host, with its arithmetic:\n%s", text)
	}
	if !strings.Contains(text, "ip netns exec "+ns+" sysctl -w 'net.ipv4.ip_local_port_range=20000 65535'") {
		t.Errorf("ip_local_port_range not in the namespace's form:\n%s", text)
	}
	t.Logf("stdout:\n%s\nstderr:\n%s", text, errs.String())
}
