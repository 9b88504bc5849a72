package watch

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestOrphanHold: up to 60 s an orphan's tw sock lives tcp_fin_timeout;
// beyond, the socket waits fin - 60 s and its tw sock as long again
// (tcp_keepalive_timer); unknown is the default, 60 s.
func TestOrphanHold(t *testing.T) {
	for fin, want := range map[int]time.Duration{0: time.Minute, 5: 5 * time.Second, 30: 30 * time.Second, 60: time.Minute, 90: time.Minute, 120: 2 * time.Minute, 150: 3 * time.Minute} {
		if got := orphanHold(fin); got != want {
			t.Errorf("tcp_fin_timeout %d: hold %s, want %s", fin, got, want)
		}
	}
}

// TestProjectOrphans: over 10 s, 1200 TIME_WAIT and 50 orphans left
// unanswered toward one destination (60 handed, 10 answered by a late FIN,
// which are in the TIME_WAIT count) in a namespace with tcp_fin_timeout 30:
// 120/s × 60 s + 5/s × 30 s = 7350 ports of 10000, a warning that names
// both parts; toward another, only orphans, whose counter fell (an evicted
// key) between the readings: none counted, no projection.
func TestProjectOrphans(t *testing.T) {
	app := Owner{PID: 42, Command: "app"}
	to, other := Creator{Owner: app, Netns: 1, Destination: dest("10.0.0.1:443")}, Creator{Owner: app, Netns: 1, Destination: dest("10.0.0.2:80")}
	first := Reading{At: t0, Orphans: map[Creator]OrphanCount{to: {Handed: 40, Answered: 5}, other: {Handed: 90}}}
	last := Reading{Source: FromBPF, At: t0.Add(10 * time.Second),
		TimeWait: map[Creator]uint64{to: 1200},
		Orphans:  map[Creator]OrphanCount{to: {Handed: 100, Answered: 15}, other: {Handed: 3}},
	}
	keys := Keys{PortRange: PortRange{Low: 50000, High: 59999}, FinTimeout: 30}
	r := Summarize(first, last, Options{Top: 5, Netns: 1, Namespaces: map[uint32]Keys{1: keys}, Limits: DefaultLimits()})
	want := []Projection{{Destination: "10.0.0.1:443", Netns: 1, Rate: Rate{1200, 120}, Orphaned: &Rate{50, 5}, OrphanHoldS: 30,
		TimeWaitPorts: 7200, OrphanPorts: 150, PortsHeld: 7350, PortRange: keys.PortRange, Share: 0.735}}
	if d := cmp.Diff(want, r.TimeWaitByDestination, cmpopts.IgnoreUnexported(Projection{})); d != "" {
		t.Errorf("projections (-want +got):\n%s", d)
	}
	if r.OrphansCreated != (Rate{50, 5}) {
		t.Errorf("orphans created %+v, want 50 (5/s)", r.OrphansCreated)
	}
	f := findingsOf(r.Findings, TimeWaitChurn)
	if len(f) != 1 || f[0].Severity != rules.Warning {
		t.Fatalf("churn findings %+v: want one warning", f)
	}
	text := "at this rate TIME_WAIT 120.0/s × 60 s + orphaned FIN_WAIT2 5.0/s × 30 s toward 10.0.0.1:443 hold 7350 ports: 73.5% of the usable range (10000 ports, 50000-59999)"
	if f[0].Observed != text || !strings.Contains(f[0].Title, "orphaned FIN_WAIT2") {
		t.Errorf("finding %q / %q, want %q", f[0].Title, f[0].Observed, text)
	}
	ev := rules.Evidence{"rate_per_s": 120, "ports_held": 7350, "range": 10000, "share": 0.735, "elapsed_s": 10,
		"time_wait_ports": 7200, "orphan_rate_per_s": 5, "orphan_hold_s": 30, "orphan_ports": 150}
	if d := cmp.Diff(ev, f[0].Evidence); d != "" {
		t.Errorf("evidence (-want +got):\n%s", d)
	}
}

// TestProjectionsRankByPortsHeld: a destination with only orphans holding
// more ports ranks before one with a few TIME_WAIT.
func TestProjectionsRankByPortsHeld(t *testing.T) {
	tw, orph := Creator{Netns: 1, Destination: dest("10.0.0.1:443")}, Creator{Netns: 1, Destination: dest("10.0.0.2:80")}
	last := Reading{Source: FromBPF, At: t0.Add(10 * time.Second),
		TimeWait: map[Creator]uint64{tw: 10},                  // 60 ports
		Orphans:  map[Creator]OrphanCount{orph: {Handed: 20}}} // 120 ports at 60 s
	// The namespace's keys were read, without tcp_fin_timeout: the
	// default hold, 60 s.
	r := Summarize(Reading{At: t0}, last, Options{Top: 1, Netns: 1, Namespaces: map[uint32]Keys{1: {ID: "net:[1]"}}, Limits: DefaultLimits()})
	if len(r.TimeWaitByDestination) != 1 || r.TimeWaitByDestination[0].Destination != "10.0.0.2:80" || r.TimeWaitByDestination[0].PortsHeld != 120 {
		t.Errorf("top 1 %+v: want 10.0.0.2:80 holding 120 ports", r.TimeWaitByDestination)
	}
}

// TestProjectionUnreadNamespace: orphans in a namespace whose keys were
// never read (gone, or not enterable) project no hold and no orphan
// ports (its tcp_fin_timeout is unknown), and the namespace is listed
// with the reason, though it created no TIME_WAIT.
func TestProjectionUnreadNamespace(t *testing.T) {
	orph := Creator{Netns: 7, Destination: dest("10.0.0.2:80")}
	last := Reading{Source: FromBPF, At: t0.Add(10 * time.Second), TimeWaitByNetns: map[uint32]uint64{},
		Orphans: map[Creator]OrphanCount{orph: {Handed: 20}}}
	r := Summarize(Reading{At: t0}, last, Options{Top: 5, Limits: DefaultLimits()})
	if len(r.TimeWaitByDestination) != 1 || r.TimeWaitByDestination[0].OrphanHoldS != 0 || r.TimeWaitByDestination[0].OrphanPorts != 0 || r.TimeWaitByDestination[0].Orphaned == nil {
		t.Errorf("projections %+v: want the orphans toward 10.0.0.2:80, no hold and no ports", r.TimeWaitByDestination)
	}
	if len(r.Namespaces) != 1 || r.Namespaces[0].Inode != 7 || r.Namespaces[0].Keys.Unread == "" {
		t.Errorf("namespaces %+v: want net:[7] listed with why its keys were not read", r.Namespaces)
	}
}

// TestReadKeysFinTimeout: tcp_fin_timeout is read with the namespace's
// other keys (a fixture /proc tree); absent, it is 0 (orphanHold then
// takes the default, 60 s).
func TestReadKeysFinTimeout(t *testing.T) {
	for root, want := range map[string]Keys{
		"testdata/keys":        {PortRange: PortRange{Low: 40000, High: 40199}, MaxTWBuckets: 2000, FinTimeout: 5},
		"testdata/keys-no-fin": {PortRange: PortRange{Low: 40000, High: 40199}, MaxTWBuckets: 2000},
	} {
		fsys, err := audit.NewFS(root)
		if err != nil {
			t.Fatal(err)
		}
		k, err := ReadKeys(fsys)
		if err != nil || k != want {
			t.Errorf("%s: %+v, %v; want %+v", root, k, err, want)
		}
	}
}

// TestChurnSubjectsPerDestination: a finding about TIME_WAIT toward one
// destination names the processes that created them there, not those
// creating the most TIME_WAIT anywhere: over 10 s, pid 1 makes 1,000
// toward A, pid 2 makes 1,200 toward B (both hold most of 10,000 ports).
func TestChurnSubjectsPerDestination(t *testing.T) {
	a := Creator{Owner: Owner{PID: 1, Command: "client"}, Netns: 1, Destination: dest("10.0.0.1:443")}
	b := Creator{Owner: Owner{PID: 2, Command: "server"}, Netns: 1, Destination: dest("10.0.0.2:80")}
	last := Reading{Source: FromBPF, At: t0.Add(10 * time.Second), TimeWait: map[Creator]uint64{a: 1000, b: 1200}}
	keys := Keys{PortRange: PortRange{Low: 50000, High: 59999}, FinTimeout: 60}
	r := Summarize(Reading{At: t0}, last, Options{Top: 5, Netns: 1, Namespaces: map[uint32]Keys{1: keys}, Limits: DefaultLimits()})
	f := findingsOf(r.Findings, TimeWaitChurn)
	if len(f) != 2 {
		t.Fatalf("churn findings %+v: want one per destination", f)
	}
	for _, x := range f {
		want := []rules.Subject{{Remote: "10.0.0.1:443", State: "TIME_WAIT"}, {PID: 1, Command: "client", Count: 1000}}
		if x.Subjects[0].Remote == "10.0.0.2:80" {
			want = []rules.Subject{{Remote: "10.0.0.2:80", State: "TIME_WAIT"}, {PID: 2, Command: "server", Count: 1200}}
		}
		if d := cmp.Diff(want, x.Subjects); d != "" {
			t.Errorf("subjects (-want +got):\n%s", d)
		}
	}
}

// TestResetsNameTheirNamespace: with every namespace watched, a finding
// about RSTs in a namespace where nothing else was seen (not listed)
// names it, so that it is not shown as the host's.
func TestResetsNameTheirNamespace(t *testing.T) {
	p := Peer{Netns: 5, Endpoint: netip.MustParseAddrPort("10.0.0.9:0")}
	last := Reading{Source: FromBPF, At: t0.Add(10 * time.Second), Resets: map[Peer]ResetCount{p: {Sent: 100}}}
	r := Summarize(Reading{At: t0}, last, Options{Top: 5, Limits: DefaultLimits()})
	f := findingsOf(r.Findings, Resets)
	if len(f) != 1 || f[0].Namespace != "net:[5]" {
		t.Errorf("reset findings %+v: want one naming net:[5]", f)
	}
}
