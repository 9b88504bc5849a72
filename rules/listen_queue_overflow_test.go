package rules_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestListenQueueOverflow: a listener whose accept queue reached its limit
// (the backlog when the census source knows it, else somaxconn, which caps
// every backlog) is critical; drops counted since boot alone are info;
// with samples, drops that rise are a warning and drops that do not clear
// the finding.
func TestListenQueueOverflow(t *testing.T) {
	tests := []struct {
		name           string
		queue, backlog uint32
		drops          int64
		sampling       *audit.Sampling
		want           []string
	}{
		{"idle", 0, 0, 0, nil, nil},
		{"below somaxconn", 4095, 0, 0, nil, nil},
		{"at somaxconn", 4096, 0, 0, nil, []string{"critical"}},
		{"over a known backlog", 129, 128, 0, nil, []string{"critical"}},
		{"below a known backlog", 100, 128, 0, nil, nil},
		{"drops since boot", 0, 0, 5, nil, []string{"info"}},
		{"drops that stopped", 0, 0, 5, listenRates(0), nil},
		{"drops that go on", 0, 0, 5, listenRates(3), []string{"warning"}},
		{"full queue, no drops sampled", 4096, 0, 5, listenRates(0), []string{"critical"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := audit.NewCensus(32768, 60999)
			c.Add(&audit.Socket{Local: netip.IPv4Unspecified(), LocalPort: 8080, State: audit.Listen,
				RxQueue: tc.queue, Backlog: tc.backlog})
			f := audit.NewFacts(audit.Facts{
				Census:   c,
				Sysctls:  map[string]string{"net.core.somaxconn": "4096"},
				Counters: audit.Counters{"TcpExt": {"ListenOverflows": tc.drops, "ListenDrops": tc.drops}},
				Sampling: tc.sampling,
			}, audit.SourceSockets, audit.SourceNetstat, audit.SourceSNMP)
			if diff := cmp.Diff(tc.want, severities(check(t, "baseline", "listen-queue-overflow", f))); diff != "" {
				t.Errorf("severities (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListenQueueOverflowText pins the wording: the backlog is clamped to
// somaxconn once, at listen(), so a listener keeps its old limit until it
// calls listen() again; a limit taken from today's somaxconn (the census
// read /proc, which has no backlog) is said to be only that; a dropped
// final ACK leaves an ESTABLISHED client stalled.
func TestListenQueueOverflowText(t *testing.T) {
	for _, tc := range []struct {
		backlog uint32
		want    string
	}{
		{0, "0.0.0.0:8080 (accept queue 4097, limit 4096 if it listened under today's somaxconn)"},
		{128, "0.0.0.0:8080 (accept queue 4097, limit 128, its backlog)"},
	} {
		c := audit.NewCensus(32768, 60999)
		c.Add(&audit.Socket{Local: netip.IPv4Unspecified(), LocalPort: 8080, State: audit.Listen, RxQueue: 4097, Backlog: tc.backlog})
		f := audit.NewFacts(audit.Facts{Census: c, Sysctls: map[string]string{"net.core.somaxconn": "4096"}},
			audit.SourceSockets, audit.SourceNetstat, audit.SourceSNMP)
		got := check(t, "baseline", "listen-queue-overflow", f)
		if len(got) != 1 {
			t.Fatalf("backlog %d: %d findings, want 1", tc.backlog, len(got))
		}
		text := got[0].Explanation + " " + got[0].Fix.Advice
		for _, w := range []string{tc.want, "clamped to net.core.somaxconn once, when listen() is called",
			"keeps that limit until it calls listen() again", "already ESTABLISHED and sees a stall",
			"then restart the service"} {
			if !strings.Contains(got[0].Observed+" "+text, w) {
				t.Errorf("backlog %d: finding lacks %q:\n%s\n%s", tc.backlog, w, got[0].Observed, text)
			}
		}
	}
}

// listenRates is a sampling over 2 s in which both listen counters rose by
// delta.
func listenRates(delta int64) *audit.Sampling {
	per := float64(delta) / 2
	return &audit.Sampling{Samples: 3, Elapsed: 2 * time.Second, Rates: []audit.Rate{
		{Section: "TcpExt", Name: "ListenOverflows", Delta: delta, PerSecond: per},
		{Section: "TcpExt", Name: "ListenDrops", Delta: delta, PerSecond: per},
	}}
}

// TestListenQueueBacklogSized: with a full queue and drops rising between
// samples, the fix sizes the backlog from the measured rate (limit + one
// second of drops, rounded up to a power of two), shows the arithmetic,
// names listen()'s backlog as the real limit and raises somaxconn to it.
func TestListenQueueBacklogSized(t *testing.T) {
	c := audit.NewCensus(32768, 60999)
	c.Add(&audit.Socket{Local: netip.IPv4Unspecified(), LocalPort: 8080, State: audit.Listen, RxQueue: 4097, Backlog: 4096})
	f := audit.NewFacts(audit.Facts{Census: c, Sysctls: map[string]string{"net.core.somaxconn": "4096"}, Sampling: listenRates(200)},
		audit.SourceSockets, audit.SourceNetstat, audit.SourceSNMP)
	got := check(t, "baseline", "listen-queue-overflow", f)
	if len(got) != 1 || got[0].Severity != rules.Critical {
		t.Fatalf("findings %+v, want one critical", got)
	}
	fd := got[0]
	if !strings.Contains(fd.Fix.Advice, "limit 4096 + 100.0 drops/s × 1 s = 4196, rounded up to 8192") ||
		!strings.Contains(fd.Fix.Advice, "listen() backlog is the real limit") {
		t.Errorf("advice lacks the arithmetic:\n%s", fd.Fix.Advice)
	}
	if fd.Evidence["proposed_backlog"] != 8192 || fd.Fix.Sysctl["net.core.somaxconn"] != "8192" {
		t.Errorf("evidence %v, sysctl %v; want 8192 proposed and somaxconn raised to it", fd.Evidence, fd.Fix.Sysctl)
	}
	f = audit.NewFacts(audit.Facts{Census: c, Sysctls: map[string]string{"net.core.somaxconn": "4096"}},
		audit.SourceSockets, audit.SourceNetstat, audit.SourceSNMP)
	if got := check(t, "baseline", "listen-queue-overflow", f); len(got) != 1 || got[0].Fix.Sysctl != nil {
		t.Errorf("without samples: %+v; want no size without a measured rate", got)
	}
}

// TestCountersSinceNamespace: in a network namespace that is not the
// host's (the keys only the initial namespace has are absent), counter
// totals are said to count since the namespace was created, not since boot.
func TestCountersSinceNamespace(t *testing.T) {
	for _, child := range []bool{false, true} {
		absent := map[string]error{}
		if child {
			absent = map[string]error{"net.ipv4.tcp_max_orphans": rules.ErrJudgedWithHost, "net.ipv4.tcp_mem": rules.ErrJudgedWithHost}
		}
		f := audit.NewFacts(audit.Facts{
			Census:   audit.NewCensus(32768, 60999),
			Sysctls:  map[string]string{"net.core.somaxconn": "4096"},
			Absent:   absent,
			Counters: audit.Counters{"TcpExt": {"ListenOverflows": 5, "ListenDrops": 5}},
		}, audit.SourceSockets, audit.SourceNetstat, audit.SourceSNMP)
		got := check(t, "baseline", "listen-queue-overflow", f)
		if len(got) != 1 {
			t.Fatalf("child %v: %d findings, want 1", child, len(got))
		}
		want, not := "since boot", "since its network namespace was created"
		if child {
			want, not = not, want
		}
		if text := got[0].Title + " " + got[0].Observed; !strings.Contains(text, want) || strings.Contains(text, not) {
			t.Errorf("child %v: %q, want %q", child, text, want)
		}
	}
}

// TestListenQueueOverflowBounded: of 30 full listeners the observation
// describes 10 and counts the others, the subjects list 20, and the
// evidence counts all 30.
func TestListenQueueOverflowBounded(t *testing.T) {
	c := audit.NewCensus(32768, 60999)
	for i := range 30 {
		c.Add(&audit.Socket{Local: netip.AddrFrom4([4]byte{127, 2, 0, byte(i + 1)}), LocalPort: 9000, State: audit.Listen, RxQueue: 2, Backlog: 1})
	}
	f := audit.NewFacts(audit.Facts{
		Census:   c,
		Sysctls:  map[string]string{"net.core.somaxconn": "4096"},
		Counters: audit.Counters{"TcpExt": {"ListenOverflows": 0, "ListenDrops": 0}},
	}, audit.SourceSockets, audit.SourceNetstat, audit.SourceSNMP)
	got := check(t, "baseline", "listen-queue-overflow", f)
	if len(got) != 1 {
		t.Fatalf("%d findings, want 1", len(got))
	}
	obs := got[0].Observed
	if n := strings.Count(obs, "(accept queue"); n != 10 || !strings.Contains(obs, ", and 20 more listeners") {
		t.Errorf("observed describes %d listeners, want 10 and the 20 more counted:\n%s", n, obs)
	}
	if len(got[0].Subjects) != 20 || got[0].Evidence["full_listeners"] != 30 {
		t.Errorf("%d subjects, full_listeners %v; want 20 and 30", len(got[0].Subjects), got[0].Evidence["full_listeners"])
	}
}
