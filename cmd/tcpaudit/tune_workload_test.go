package main

import (
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/tune"
)

// enterSysctls runs the test in a network namespace of its own (false in
// the parent, which must return) with the sysctls given as path, value
// pairs under /proc/sys.
func enterSysctls(t *testing.T, kv ...string) bool {
	t.Helper()
	if !nstest.Enter(t) {
		return false
	}
	for i := 0; i+1 < len(kv); i += 2 {
		setSysctl(t, kv[i], kv[i+1])
	}
	return true
}

// TestTuneIdleTimeWait: 30 TIME_WAIT entries made before tune starts and
// no traffic while it watches give tcp_tw_reuse no verdict: none was
// created, so it is insufficient-data like the other keys.
func TestTuneIdleTimeWait(t *testing.T) {
	if !enterSysctls(t) {
		return
	}
	g := closer(t)
	var err error
	for i := 0; i < 30 && err == nil; i++ {
		err = g.TimeWait()
	}
	if err != nil {
		t.Fatal(err)
	}
	p := proposalOf(t, tuneJSON(t, "--duration", "1s", "--interval", "500ms"), "net.ipv4.tcp_tw_reuse")
	if p.Verdict != tune.InsufficientData || !strings.Contains(p.Formula, "0 TIME_WAIT entries created") {
		t.Errorf("tcp_tw_reuse from stale entries only: %s %q, want insufficient-data", p.Verdict, p.Formula)
	}
}

// TestTuneDiffLabel: tune --diff in a namespace that is not the host's
// says why no drop-in is offered under its own name, not fix's.
func TestTuneDiffLabel(t *testing.T) {
	if !enterSysctls(t) {
		return
	}
	code, _, stderr := runCLI(t, "tune", "--duration", "500ms", "--interval", "500ms", "--root", emptyRoot(t), "--diff")
	if code != exitOK || !strings.HasPrefix(stderr, "tcpaudit tune: ") || strings.Contains(stderr, "tcpaudit fix") || !strings.Contains(stderr, "not the host's") {
		t.Errorf("tune --diff in a namespace: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestTuneReusedPorts: with a 300-port range and tcp_tw_reuse 2, 100
// client-first connections/s to one loopback destination take over their
// own TIME_WAIT 4-tuples after 3 s, within an interval, so most are not
// new to the census; tune's counts must still be the test's own (± 10%
// of its rate over the readings' span): new connections from Tcp
// ActiveOpens, TIME_WAIT entries created from TcpExt TW and TWKilled.
// Totals are compared, not peaks: on a loaded machine the load catches up
// late calls in bursts, so one interval's rate may exceed the mean.
func TestTuneReusedPorts(t *testing.T) {
	if !enterSysctls(t, "net/ipv4/ip_local_port_range", "40000 40299", "net/ipv4/tcp_tw_reuse", "2", "net/ipv4/tcp_timestamps", "1") {
		return
	}
	load := pace(100, 12*time.Second, closer(t).TimeWait)
	time.Sleep(3500 * time.Millisecond) // every port in TIME_WAIT: connect() reuses
	var rep tune.Report
	rate := load.measure(2*time.Second, func() { rep = tuneJSON(t, "--duration", "6s", "--interval", "2s") })
	if err := load.stop(); err != nil {
		t.Fatal(err)
	}
	ports := proposalOf(t, rep, "net.ipv4.ip_local_port_range")
	if peak := input(t, ports, "peak_new_per_s"); !rate.covers(peak, 0.1) {
		t.Errorf("peak %.1f new connections/s, want the test's own %v ± 10%%", peak, rate)
	}
	if opened := input(t, ports, "new_connections") / rep.Span; !rate.covers(opened, 0.1) {
		t.Errorf("%.1f new connections/s over %.1f s, want the test's own %v ± 10%%", opened, rep.Span, rate)
	}
	tw := proposalOf(t, rep, "net.ipv4.tcp_max_tw_buckets")
	if created := input(t, tw, "created") / rep.Span; !rate.covers(created, 0.1) || tw.Inputs["created_from"] != "TcpExt TW + TWKilled" {
		t.Errorf("%.1f TIME_WAIT entries created/s from %v, want the test's own %v ± 10%% from the counters", created, tw.Inputs["created_from"], rate)
	}
}
