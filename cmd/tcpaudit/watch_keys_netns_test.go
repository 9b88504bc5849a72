package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/watch"
)

// twNamespace is a namespace made by the test, its echo server and the
// keys sysctl(8) reads in it.
type twNamespace struct {
	name, server string
	inode        uint32
	low, high    int
	buckets      int
}

// newTWNamespace makes a namespace, sets sysctls in it with sysctl(8) (none
// when set is empty) and starts an echo server there.
func newTWNamespace(t *testing.T, set ...string) twNamespace {
	t.Helper()
	n := twNamespace{name: nstest.New(t)}
	if len(set) > 0 {
		if out, err := exec.Command("ip", append([]string{"netns", "exec", n.name, "sysctl", "-qw"}, set...)...).CombinedOutput(); err != nil {
			t.Fatalf("sysctl -w %v in %s: %v: %s", set, n.name, err, out)
		}
	}
	out, err := exec.Command("ip", "netns", "exec", n.name, "sysctl", "-n", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_max_tw_buckets").Output()
	if err != nil {
		t.Fatalf("sysctl -n in %s: %v", n.name, err)
	}
	if _, err := fmt.Sscan(string(out), &n.low, &n.high, &n.buckets); err != nil {
		t.Fatalf("sysctl -n in %s: %q: %v", n.name, out, err)
	}
	if n.inode, err = watch.NamespaceInode("/proc", filepath.Join("/run/netns", n.name)); err != nil {
		t.Fatal(err)
	}
	inNetns(t, n.name, func() { n.server = echoServer(t, "127.0.0.1:0").Addr().String() })
	return n
}

// TestWatchKeysPerNamespace: watch judges each namespace by its own
// ip_local_port_range and tcp_max_tw_buckets, read inside it as sysctl(8)
// reads them there. Churn in a namespace with 100 ports and 100 tw buckets
// is a finding naming that namespace with its 100 ports and 100 buckets;
// the same churn in a namespace with the default range and many buckets
// is none; the host's keys are used for neither.
func TestWatchKeysPerNamespace(t *testing.T) {
	narrow := newTWNamespace(t, "net.ipv4.ip_local_port_range=40000 40099", "net.ipv4.tcp_max_tw_buckets=100")
	wide := newTWNamespace(t, "net.ipv4.tcp_max_tw_buckets=200000")
	if tr, err := watch.OpenBPF(0); err != nil {
		skipWithoutBPF(t, err)
	} else {
		tr.Close()
	}
	load := func() {
		for _, ns := range []twNamespace{narrow, wide} {
			inNetns(t, ns.name, func() { churn(t, ns.server, twChurn) })
		}
	}
	for _, args := range [][]string{{"--all-netns"}, {"--netns", narrow.name}} {
		// --top wide enough that churn in namespaces other than the test's
		// (another workload on the machine) cannot push the test's
		// destinations out of the ranking.
		_, r := watchRun(t, load, append([]string{"--duration", "2s", "--top", "1000"}, args...)...)
		checkProjections(t, args, r, narrow, wide)
		id := fmt.Sprintf("net:[%d]", narrow.inode)
		for _, rule := range []string{watch.TimeWaitChurn, watch.TimeWaitBuckets} {
			var mine int
			for _, f := range findingsOf(r, rule) {
				if f.Namespace == id {
					mine++
				}
				// The host's churn is another workload's, not the test's: only
				// the wide namespace, the control, must have none.
				if f.Namespace == fmt.Sprintf("net:[%d]", wide.inode) {
					t.Errorf("%v: finding %s about the wide namespace %q (%s): want none outside %s", args, rule, f.Namespace, f.Observed, id)
				}
			}
			if mine != 1 {
				t.Errorf("%v: %d %s findings naming %s, want 1: %+v", args, mine, rule, id, r.Findings)
			}
		}
		for _, f := range findingsOf(r, watch.TimeWaitChurn) {
			if f.Namespace == id && (f.Evidence["range"] != 100 || !strings.Contains(f.Observed, "(100 ports, 40000-40099)")) {
				t.Errorf("%v: churn finding %q, evidence %v: want the namespace's 100 ports", args, f.Observed, f.Evidence)
			}
		}
		for _, f := range findingsOf(r, watch.TimeWaitBuckets) {
			if f.Namespace == id && (f.Evidence["limit"] != 100 || !strings.Contains(f.Observed, "tcp_max_tw_buckets (100)")) {
				t.Errorf("%v: bucket finding %q, evidence %v: want the namespace's 100 buckets", args, f.Observed, f.Evidence)
			}
		}
	}
}

// checkProjections checks that each server's TIME_WAIT was projected on
// the range of the namespace the connections were made in (--netns: the
// narrow one only, also the report's own keys).
func checkProjections(t *testing.T, args []string, r watch.Report, narrow, wide twNamespace) {
	t.Helper()
	want := []twNamespace{narrow}
	if args[0] == "--all-netns" {
		want = append(want, wide)
	} else if r.PortRange != (watch.PortRange{Low: 40000, High: 40099}) || r.MaxTWBuckets != 100 {
		t.Errorf("%v: report keys %+v, %d: want the namespace's 40000-40099 and 100", args, r.PortRange, r.MaxTWBuckets)
	}
	for _, ns := range want {
		found := false
		for _, p := range r.TimeWaitByDestination {
			if p.Netns != ns.inode || p.Destination != ns.server {
				continue
			}
			found = true
			if p.PortRange != (watch.PortRange{Low: ns.low, High: ns.high}) || !nearCountMissed(p.Count, twChurn, r.MissedEvents) {
				t.Errorf("%v: projection %+v in %s: want its range %d-%d and %d entries (%d events missed)", args, p, ns.name, ns.low, ns.high, twChurn, r.MissedEvents)
			}
		}
		if !found {
			t.Errorf("%v: no projection toward %s in %s: %+v", args, ns.server, ns.name, r.TimeWaitByDestination)
		}
	}
	for _, x := range r.Namespaces {
		if x.Inode == narrow.inode && (x.MaxTWBuckets != 100 || x.PortRange.Size() != 100 || !nearCountMissed(x.TimeWaitCreated.Count, twChurn, r.MissedEvents)) {
			t.Errorf("%v: namespace %+v: want 100 ports, 100 buckets, %d created (%d events missed)", args, x, twChurn, r.MissedEvents)
		}
	}
}

// twChurn is the connections each namespace's churn makes: fewer than the
// 100 ports and buckets of the narrow one, so that no connect() fails and
// no entry overflows.
const twChurn = 60
