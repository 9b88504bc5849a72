package tune

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

var (
	t0   = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	dest = audit.Flow{Local: netip.MustParseAddr("10.0.0.1"), Remote: netip.MustParseAddr("10.0.4.7"), RemotePort: 5432}
)

// readings returns n observations one second apart with the sysctls given,
// each changed by fn (i from 0).
func readings(n int, sysctls map[string]string, fn func(i int, o *audit.Observation)) []audit.Observation {
	var out []audit.Observation
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		o := audit.Observation{At: at, CountersAt: at, Sysctls: sysctls, Source: audit.CensusNetlink}
		if i > 0 {
			o.Interval, o.CountersInterval = time.Second, time.Second
		}
		fn(i, &o)
		out = append(out, o)
	}
	return out
}

func proposal(t *testing.T, r Report, key string) Proposal {
	t.Helper()
	for _, p := range r.Proposals {
		if p.Key == key {
			return p
		}
	}
	t.Fatalf("no proposal for %s in %+v", key, r.Proposals)
	return Proposal{}
}

func TestPortRange(t *testing.T) {
	for _, tc := range []struct {
		name, rng, reserved string
		perSec              int
		verdict             Verdict
		proposed, formula   string
		advice              bool
	}{
		{"fits", "32768 60999", "", 200, NoChange, "", "peak 200.0 new connections/s to 10.0.4.7:5432 (p90 200.0) × 60 s TIME_WAIT × 1.5 headroom = 18,000 ports; 32768-60999 holds 28,232", false},
		{"reserved ports count", "40000 59999", "40000-42000", 200, Change, "40000 65535", "40000-59999 holds 17,999 (2,001 reserved", false},
		{"widened", "50000 59999", "", 812, Change, "1024 65535", "= 73,080 ports", true},
		{"lowered", "50000 59999", "", 500, Change, "20536 65535", "= 45,000 ports", false},
		{"too little traffic", "32768 60999", "", 0, InsufficientData, "", "0 new outgoing connections", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := map[string]string{keyPortRange: tc.rng, keyReservedPorts: tc.reserved}
			obs := readings(6, sys, func(i int, o *audit.Observation) {
				o.Outgoing = map[audit.Flow]audit.OutgoingLoad{dest: {New: tc.perSec * min(i, 1)}}
			})
			p := proposal(t, Plan(obs, nil), keyPortRange)
			if p.Verdict != tc.verdict || p.Proposed != tc.proposed || !strings.Contains(p.Formula, tc.formula) || (p.Advice != "") != tc.advice {
				t.Errorf("got %s %q %q advice %q, want %s %q containing %q", p.Verdict, p.Proposed, p.Formula, p.Advice, tc.verdict, tc.proposed, tc.formula)
			}
		})
	}
}

// TestTimeWaitBucketsFromOverflow: with the table full, no new entry
// appears; the closes that overflowed are the rate (700/s → 63,000), not
// a multiple of the old limit.
func TestTimeWaitBucketsFromOverflow(t *testing.T) {
	sys := map[string]string{keyMaxTwBuckets: "4000"}
	obs := readings(4, sys, func(i int, o *audit.Observation) {
		o.Counters = audit.Counters{"TcpExt": {"TCPTimeWaitOverflow": int64(700 * i)}}
		o.States[audit.TimeWait] = 4000
	})
	p := proposal(t, Plan(obs, nil), keyMaxTwBuckets)
	if p.Verdict != Change || p.Proposed != "63000" || !strings.Contains(p.Formula, "TCPTimeWaitOverflow rose by 2,100") {
		t.Errorf("got %s %q %q", p.Verdict, p.Proposed, p.Formula)
	}
}

func TestTimeWaitReuse(t *testing.T) {
	loop := audit.Flow{Local: netip.MustParseAddr("127.0.0.1"), Remote: netip.MustParseAddr("127.0.0.1"), RemotePort: 9000}
	for _, tc := range []struct {
		name, reuse string
		to          audit.Flow
		tw, total   int
		created     int
		verdict     Verdict
	}{
		{"one destination dominates", "2", dest, 900, 1000, 100, Change},
		{"loopback already covered", "2", loop, 900, 1000, 100, NoChange},
		{"already on", "1", dest, 900, 1000, 100, NoChange},
		{"spread out", "0", dest, 300, 1000, 100, NoChange},
		{"too few", "0", dest, 3, 3, 3, InsufficientData},
		{"stale entries, none created", "0", dest, 250, 250, 0, InsufficientData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs := readings(2, map[string]string{keyTwReuse: tc.reuse}, func(_ int, o *audit.Observation) {
				o.Outgoing = map[audit.Flow]audit.OutgoingLoad{tc.to: {Sockets: tc.tw, TimeWait: tc.tw}}
				o.States[audit.TimeWait] = tc.total
				o.NewTimeWait = tc.created
			})
			if p := proposal(t, Plan(obs, nil), keyTwReuse); p.Verdict != tc.verdict {
				t.Errorf("got %s: %s", p.Verdict, p.Formula)
			}
		})
	}
}

// TestBacklogNamesListener: a listener with backlog 8 that dropped 30
// in one interval needs (9 + 30) × 1.5 = 59 > 8: its own backlog is the
// limit, and somaxconn (4096) already allows more.
func TestBacklogNamesListener(t *testing.T) {
	owners := &audit.Attribution{Holders: map[uint64]audit.Holder{77: {PID: 4242, Command: "api"}}}
	obs := readings(3, map[string]string{keySomaxconn: "4096", keySyncookies: "1", keySynBacklog: "512"}, func(i int, o *audit.Observation) {
		o.Listeners = []audit.ListenerLoad{{Listener: audit.Listener{
			Addr: netip.MustParseAddr("0.0.0.0"), Port: 8080, Inode: 77, Backlog: 8,
			AcceptQueue: uint32(min(9, 5*i)), Drops: uint32([]int{0, 10, 40}[i]),
		}, SynRecv: 4}}
	})
	r := Plan(obs, owners)
	p := proposal(t, r, keySomaxconn)
	if p.Verdict != NoChange || p.Inputs["need"] != int64(59) || !strings.Contains(p.Subject, "0.0.0.0:8080 (pid 4242 api)") ||
		!strings.Contains(p.Advice, "a sysctl will not fix this") {
		t.Errorf("got %s need %v subject %q advice %q", p.Verdict, p.Inputs["need"], p.Subject, p.Advice)
	}
	if p := proposal(t, r, keySynBacklog); p.Verdict != NoChange || !strings.Contains(p.Formula, "tcp_syncookies is 1") {
		t.Errorf("syn backlog: %s %s", p.Verdict, p.Formula)
	}
}

func TestOrphansAndFinTimeout(t *testing.T) {
	sys := map[string]string{keyMaxOrphans: "100", keyFinTimeout: "60", keyMaxTwBuckets: "3000"}
	obs := readings(3, sys, func(i int, o *audit.Observation) {
		o.Sockstat = audit.Sockstat{"TCP": {"orphan": int64(40 * i)}}
		o.FinWait2 = audit.FinWait2Load{Count: 50 * i, Orphaned: 50 * i, NewOrphaned: 50 * min(i, 1), Oldest: time.Duration(i) * time.Second}
		o.States[audit.TimeWait] = 1000
	})
	r := Plan(obs, nil)
	// 80 orphans × 2 × 1.5 = 240 > 100.
	if p := proposal(t, r, keyMaxOrphans); p.Verdict != Change || p.Proposed != "240" {
		t.Errorf("orphans: %s %q %s", p.Verdict, p.Proposed, p.Formula)
	}
	// 50/s × 60 s × 1.5 = 4,500 > 3,000 − 1,000; 2,000 / 75 = 26 s.
	if p := proposal(t, r, keyFinTimeout); p.Verdict != Change || p.Proposed != "26" {
		t.Errorf("fin_timeout: %s %q %s", p.Verdict, p.Proposed, p.Formula)
	}
}

// TestOneReading: a single reading sizes nothing from rates.
func TestOneReading(t *testing.T) {
	r := Plan(readings(1, map[string]string{}, func(int, *audit.Observation) {}), nil)
	for _, p := range r.Proposals {
		if p.Verdict != InsufficientData || p.Proposed != "" {
			t.Errorf("%s: %s %q", p.Key, p.Verdict, p.Proposed)
		}
	}
}

// TestPortRangeReusedTuples: with 4-tuples taken over within an interval,
// the census sees 40 new connections/s while Tcp ActiveOpens rises by 100
// each second: each destination keeps its new tuples and the 60 unseen
// are shared by TIME_WAIT entries (400 of 500 toward dest): 30 + 48 = 78.
func TestPortRangeReusedTuples(t *testing.T) {
	other := audit.Flow{Local: dest.Local, Remote: dest.Remote, RemotePort: 6379}
	obs := readings(4, map[string]string{keyPortRange: "40000 40499"}, func(i int, o *audit.Observation) {
		o.Counters = audit.Counters{"Tcp": {"ActiveOpens": int64(1000 + 100*i)}}
		o.Outgoing = map[audit.Flow]audit.OutgoingLoad{dest: {New: 30, Sockets: 400, TimeWait: 400}, other: {New: 10, Sockets: 100, TimeWait: 100}}
	})
	p := proposal(t, Plan(obs, nil), keyPortRange)
	if p.Inputs["peak_new_per_s"] != 78.0 || p.Subject != destination(dest) {
		t.Errorf("peak %v to %s, want 78 (30 + 60 × 400/500) to %s: %s", p.Inputs["peak_new_per_s"], p.Subject, destination(dest), p.Formula)
	}
	// 3 intervals of 60 connections only ActiveOpens saw: the text must not
	// claim they went to the destination it names.
	if p.Inputs["unattributed_connections"] != 180 || !strings.Contains(p.Formula, "Tcp ActiveOpens alone") {
		t.Errorf("unattributed %v: %s", p.Inputs["unattributed_connections"], p.Formula)
	}
}

// TestPortRangeReusedToBusiest: 100 connections/s to one destination all
// take over TIME_WAIT 4-tuples (no new tuple), while bursts of 20 new
// tuples a second go to another: the busy destination, holding 500 of the
// 520 TIME_WAIT entries, is named, not the one with new tuples.
func TestPortRangeReusedToBusiest(t *testing.T) {
	burst := audit.Flow{Local: dest.Local, Remote: dest.Remote, RemotePort: 5001}
	obs := readings(4, map[string]string{keyPortRange: "40000 40500"}, func(i int, o *audit.Observation) {
		o.Counters = audit.Counters{"Tcp": {"ActiveOpens": int64(1000 + 120*i)}}
		o.Outgoing = map[audit.Flow]audit.OutgoingLoad{dest: {Sockets: 500, TimeWait: 500}, burst: {New: 20, Sockets: 20, TimeWait: 20}}
	})
	p := proposal(t, Plan(obs, nil), keyPortRange)
	if p.Subject != destination(dest) || p.Inputs["peak_new_per_s"].(float64) < 90 {
		t.Errorf("named %s at %v/s, want %s near 96 (100 × 500/520): %s", p.Subject, p.Inputs["peak_new_per_s"], destination(dest), p.Formula)
	}
}

// TestPortRangeCountersTime: a census that saw its new 4-tuples unevenly
// (50, 10, 30: the dumps were slow at different moments) does not make a
// peak of 50/s when Tcp ActiveOpens rose by 30 each second: the rate is
// 30/s.
func TestPortRangeCountersTime(t *testing.T) {
	seen := []int{0, 50, 10, 30}
	obs := readings(4, map[string]string{keyPortRange: "40000 40499"}, func(i int, o *audit.Observation) {
		o.Counters = audit.Counters{"Tcp": {"ActiveOpens": int64(1000 + 30*i)}}
		o.Outgoing = map[audit.Flow]audit.OutgoingLoad{dest: {New: seen[i], Sockets: 400}}
	})
	p := proposal(t, Plan(obs, nil), keyPortRange)
	if p.Inputs["peak_new_per_s"] != 30.0 || p.Inputs["unattributed_connections"] != 0 {
		t.Errorf("peak %v, unattributed %v; want 30 and 0: %s", p.Inputs["peak_new_per_s"], p.Inputs["unattributed_connections"], p.Formula)
	}
}

// TestTimeWaitBucketsReusedTuples: 4-tuples taken over within an interval
// stay in TIME_WAIT at both readings, so the census sees 40 new entries a
// second while TcpExt TW rises by 95 and TWKilled by 5: the rate is 100/s
// (100 × 60 × 1.5 = 9,000), from the counters.
func TestTimeWaitBucketsReusedTuples(t *testing.T) {
	obs := readings(4, map[string]string{keyMaxTwBuckets: "4096", keyTwReuse: "1"}, func(i int, o *audit.Observation) {
		o.Counters = audit.Counters{"TcpExt": {"TW": int64(500 + 95*i), "TWKilled": int64(5 * i), "TWRecycled": int64(60 * i)}}
		o.NewTimeWait = 40
		o.States[audit.TimeWait] = 300
		o.Outgoing = map[audit.Flow]audit.OutgoingLoad{dest: {Sockets: 300, TimeWait: 300}}
	})
	r := Plan(obs, nil)
	p := proposal(t, r, keyMaxTwBuckets)
	if p.Inputs["peak_created_per_s"] != 100.0 || p.Proposed != "9000" || p.Inputs["created_from"] != createdFromCounters {
		t.Errorf("got %s %q from %v: %s", p.Verdict, p.Proposed, p.Inputs["created_from"], p.Formula)
	}
	if p := proposal(t, r, keyTwReuse); p.Verdict == InsufficientData {
		t.Errorf("tcp_tw_reuse: 300 entries created, got %s: %s", p.Verdict, p.Formula)
	}
}

// TestPlanGuestGlobalKeys: a child namespace has no tcp_max_orphans; from
// its observations alone the key is not readable, while PlanGuest sizes
// it against the host's value (80 orphans × 2 × 1.5 = 240 > 100) and
// marks it host-wide; a per-namespace key stays the namespace's.
func TestPlanGuestGlobalKeys(t *testing.T) {
	obs := readings(3, map[string]string{keyFinTimeout: "60"}, func(i int, o *audit.Observation) {
		o.Sockstat = audit.Sockstat{"TCP": {"orphan": int64(40 * i)}}
	})
	if p := proposal(t, Plan(obs, nil), keyMaxOrphans); p.Verdict != InsufficientData || p.HostWide {
		t.Errorf("own namespace without the key: %s host-wide %v: %s", p.Verdict, p.HostWide, p.Formula)
	}
	r := PlanGuest(obs, nil, map[string]string{keyMaxOrphans: "100", keyFinTimeout: "30"})
	if p := proposal(t, r, keyMaxOrphans); p.Verdict != Change || p.Proposed != "240" || p.Current != "100" || !p.HostWide ||
		!strings.Contains(p.Formula, "only the host can change it") {
		t.Errorf("guest: %s %q → %q host-wide %v: %s", p.Verdict, p.Current, p.Proposed, p.HostWide, p.Formula)
	}
	if p := proposal(t, r, keyFinTimeout); p.Current != "60" || p.HostWide {
		t.Errorf("tcp_fin_timeout is per namespace: current %q host-wide %v", p.Current, p.HostWide)
	}
}

// TestNeedMultipliesOut: the size is the product of the rate as printed
// (to 0.1/s), so "101.6 × 60 × 1.5 = 9,144" and "1.1 × 60 × 1.5 = 99".
func TestNeedMultipliesOut(t *testing.T) {
	for _, c := range []struct {
		peak float64
		want int64
	}{{101.63, 9144}, {101.08, 9099}, {1.1, 99}, {1.149, 99}, {0.04, 0}, {333.35, 30006}} {
		if got := need(c.peak, TimeWaitSeconds); got != c.want || rate(c.peak) == "" {
			t.Errorf("need(%v) = %d, want %d (%s × 60 × 1.5)", c.peak, got, c.want, rate(c.peak))
		}
	}
}

// TestPortRangeLongLivedNotADestination: a namespace holds two long-lived
// connections to a listener on :9000 (no new 4-tuple, no TIME_WAIT) while
// 40 connections are made in the last interval. When the census saw them
// (TIME_WAIT toward :7110), :7110 is named and :9000 gets nothing; when it
// saw none, they are not pinned on :9000: the destination is unknown.
func TestPortRangeLongLivedNotADestination(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	pool := audit.Flow{Local: lo, Remote: lo, RemotePort: 9000}
	churn := audit.Flow{Local: lo, Remote: lo, RemotePort: 7110}
	for _, seen := range []bool{true, false} {
		obs := readings(3, map[string]string{keyPortRange: "1024 1100"}, func(i int, o *audit.Observation) {
			o.Counters = audit.Counters{"Tcp": {"ActiveOpens": int64(100 + 40*(i/2))}}
			o.Outgoing = map[audit.Flow]audit.OutgoingLoad{pool: {Sockets: 2}}
			if seen && i == 2 {
				o.Outgoing[churn] = audit.OutgoingLoad{Sockets: 40, TimeWait: 40, New: 40}
			}
		})
		p := proposal(t, Plan(obs, nil), keyPortRange)
		switch {
		case seen && (p.Subject != destination(churn) || p.Inputs["peak_new_per_s"] != 40.0 || p.Inputs["unattributed_connections"] != 0):
			t.Errorf("seen: %s at %v/s, %v unattributed; want %s at 40/s: %s", p.Subject, p.Inputs["peak_new_per_s"], p.Inputs["unattributed_connections"], destination(churn), p.Formula)
		case !seen && (p.Verdict != InsufficientData || strings.Contains(p.Formula, ":9000") || !strings.Contains(p.Formula, "40 new outgoing connections") || !strings.Contains(p.Formula, "destination is unknown")):
			t.Errorf("unseen: %s %s: %s", p.Verdict, p.Subject, p.Formula)
		}
	}
}

// TestReportWindow: a report says when its first and last readings were
// taken, so that namespaces observed at once, each with its own readings,
// can be told apart.
func TestReportWindow(t *testing.T) {
	r := Plan(readings(3, map[string]string{}, func(int, *audit.Observation) {}), nil)
	if !r.Start.Equal(t0) || !r.End.Equal(t0.Add(2*time.Second)) || r.Span != 2 {
		t.Errorf("window %s to %s (%v s), want %s to 2 s later", r.Start, r.End, r.Span, t0)
	}
	if r := Plan(nil, nil); !r.Start.IsZero() || !r.End.IsZero() {
		t.Errorf("no reading: window %s to %s", r.Start, r.End)
	}
}
