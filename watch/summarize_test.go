package watch

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func dest(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// TestSummarizeRates: rates are the rise of each counter over the time
// between the readings; a counter that fell (an evicted LRU key) counts 0.
func TestSummarizeRates(t *testing.T) {
	app := Owner{PID: 42, Command: "app"}
	first := Reading{Source: FromBPF, At: t0,
		Transitions: map[Pair]uint64{{audit.Established, audit.FinWait1}: 100, {audit.Close, audit.SynSent}: 7},
		TimeWait:    map[Creator]uint64{{Owner: app, Netns: 1, Destination: dest("10.0.0.1:443")}: 50, {Netns: 1, Destination: dest("10.0.0.2:80")}: 9},
	}
	last := Reading{Source: FromBPF, At: t0.Add(10 * time.Second),
		Transitions: map[Pair]uint64{{audit.Established, audit.FinWait1}: 300, {audit.Close, audit.SynSent}: 107, {audit.SynRecv, audit.Established}: 20},
		TimeWait:    map[Creator]uint64{{Owner: app, Netns: 1, Destination: dest("10.0.0.1:443")}: 4050, {Netns: 1, Destination: dest("10.0.0.2:80")}: 3},
	}
	r := Summarize(first, last, Options{Top: 5, Netns: 1, Namespaces: map[uint32]Keys{1: {PortRange: PortRange{Low: 32768, High: 60999}, MaxTWBuckets: 25000}}, Limits: DefaultLimits()})
	want := []TransitionRate{
		{From: "ESTABLISHED", To: "FIN_WAIT1", Rate: Rate{200, 20}},
		{From: "CLOSE", To: "SYN_SENT", Rate: Rate{100, 10}},
		{From: "SYN_RECV", To: "ESTABLISHED", Rate: Rate{20, 2}},
	}
	if d := cmp.Diff(want, r.Transitions); d != "" {
		t.Errorf("transitions (-want +got):\n%s", d)
	}
	if d := cmp.Diff(NewConnections{Active: Rate{100, 10}, Passive: Rate{20, 2}}, r.NewConnections); d != "" {
		t.Errorf("new connections (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]ProcessRate{{PID: 42, Command: "app", Netns: 1, Rate: Rate{4000, 400}}}, r.TimeWaitByProcess); d != "" {
		t.Errorf("TIME_WAIT by process (-want +got):\n%s", d)
	}
	// 400/s × 60 s = 24000 ports of 28232.
	wantDest := []Projection{{Destination: "10.0.0.1:443", Netns: 1, Rate: Rate{4000, 400}, TimeWaitPorts: 24000, PortsHeld: 24000, PortRange: PortRange{Low: 32768, High: 60999}, Share: 24000.0 / 28232}}
	if d := cmp.Diff(wantDest, r.TimeWaitByDestination, cmpopts.IgnoreUnexported(Projection{})); d != "" {
		t.Errorf("TIME_WAIT by destination (-want +got):\n%s", d)
	}
	f := findingsOf(r.Findings, TimeWaitChurn)
	if len(f) != 1 || f[0].Severity != rules.Critical || f[0].Evidence["ports_held"] != 24000 {
		t.Fatalf("findings %+v: want one critical TIME_WAIT finding holding 24000 ports", r.Findings)
	}
	wantObs := "at this rate (400.0/s) TIME_WAIT toward 10.0.0.1:443 holds 24000 ports: 85.0% of the usable range (28232 ports, 32768-60999)"
	if f[0].Observed != wantObs {
		t.Errorf("observed %q, want %q", f[0].Observed, wantObs)
	}
	if f[0].Subjects[1].PID != 42 {
		t.Errorf("subjects %+v: want the process creating them", f[0].Subjects)
	}
	// All destinations: 400/s × 60 s = 24000 entries, 96% of 25000 buckets.
	if r.TimeWaitCreated != (Rate{4000, 400}) {
		t.Errorf("TIME_WAIT created %+v, want 4000 at 400/s", r.TimeWaitCreated)
	}
	b := findingsOf(r.Findings, TimeWaitBuckets)
	if len(b) != 1 || b[0].Severity != rules.Warning || b[0].Evidence["entries"] != 24000 || b[0].Evidence["share"] != 0.96 {
		t.Errorf("findings %+v: want one tw-bucket warning at 24000 entries, 96%%", b)
	}
}

// TestSummarizeSoftirqOwner: TIME_WAIT entries with no process are
// reported as softirq/kernel.
func TestSummarizeSoftirqOwner(t *testing.T) {
	last := Reading{Source: FromBPF, At: t0.Add(time.Second),
		TimeWait: map[Creator]uint64{{Destination: dest("[2001:db8::1]:443")}: 3}}
	r := Summarize(Reading{At: t0}, last, Options{Top: 5, Namespaces: map[uint32]Keys{0: {PortRange: PortRange{Low: 1000, High: 1999}}}})
	if d := cmp.Diff([]ProcessRate{{Command: "softirq/kernel", Rate: Rate{3, 3}}}, r.TimeWaitByProcess); d != "" {
		t.Errorf("TIME_WAIT by process (-want +got):\n%s", d)
	}
	if r.TimeWaitByDestination[0].Destination != "[2001:db8::1]:443" || r.TimeWaitByDestination[0].PortsHeld != 180 {
		t.Errorf("by destination %+v: want 180 ports toward [2001:db8::1]:443", r.TimeWaitByDestination)
	}
}

// TestTimeInState: percentiles are bucket upper bounds, capped by the
// maximum, which includes sockets still in the state.
func TestTimeInState(t *testing.T) {
	var last Reading
	last.At = t0.Add(time.Second)
	// 90 stays under 2 µs (bucket 0), 9 in [1024, 2048) µs (bucket 10), 1 in bucket 20.
	last.Time[audit.CloseWait][0] = 90
	last.Time[audit.CloseWait][10] = 9
	last.Time[audit.CloseWait][20] = 1
	last.Max[audit.CloseWait] = 1500 * time.Millisecond
	last.Live = []Live{{State: audit.CloseWait, Age: 3 * time.Second}}
	got := timeInState(Reading{}, last)
	want := []StateTime{{State: "CLOSE_WAIT", Count: 100, P50S: 2e-6, P90S: 2e-6, P99S: 2048e-6, MaxS: 3}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("time in state (-want +got):\n%s", d)
	}
}

// TestJudgeCloseWait: sockets in CLOSE_WAIT longer than the limit are a
// warning naming their process; younger ones are not.
func TestJudgeCloseWait(t *testing.T) {
	r := Report{Longest: []LongLived{
		{State: "CLOSE_WAIT", AgeS: 120, PID: 7, Command: "srv", Local: "10.0.0.1:80", Remote: "10.0.0.2:5000"},
		{State: "FIN_WAIT2", AgeS: 300, PID: 8, Command: "cli"},
		{State: "CLOSE_WAIT", AgeS: 5, PID: 7, Command: "srv"},
	}}
	f := Judge(r, DefaultLimits())
	if len(f) != 1 || f[0].Rule != CloseWaitLeak || len(f[0].Subjects) != 1 || f[0].Subjects[0].PID != 7 || f[0].Evidence["oldest_s"] != 120 {
		t.Errorf("findings %+v: want one CLOSE_WAIT finding about pid 7", f)
	}
}

func findingsOf(fs []rules.Finding, rule string) []rules.Finding {
	var out []rules.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// TestByProcessPerNamespace: a process that created TIME_WAIT entries in
// two namespaces has a row in each, naming it.
func TestByProcessPerNamespace(t *testing.T) {
	app := Owner{PID: 42, Command: "app"}
	first := Reading{Source: FromBPF, At: t0, TimeWait: map[Creator]uint64{}}
	last := Reading{Source: FromBPF, At: t0.Add(10 * time.Second), TimeWait: map[Creator]uint64{
		{Owner: app, Netns: 7, Destination: dest("127.0.0.1:7102")}: 600,
		{Owner: app, Netns: 9, Destination: dest("127.0.0.1:7102")}: 60,
	}}
	want := []ProcessRate{{PID: 42, Command: "app", Netns: 7, Rate: Rate{600, 60}}, {PID: 42, Command: "app", Netns: 9, Rate: Rate{60, 6}}}
	if d := cmp.Diff(want, byProcess(first, last, func(n uint64) Rate { return Rate{n, float64(n) / 10} })); d != "" {
		t.Errorf("TIME_WAIT by process (-want +got):\n%s", d)
	}
}
