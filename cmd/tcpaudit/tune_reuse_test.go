package main

import (
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestTuneReusedPorts: with a 300-port range and tcp_tw_reuse 2, 100
// client-first connections/s to one loopback destination take over their
// own TIME_WAIT 4-tuples after 3 s, within an interval, so most are not new to the
// census; tune's rate must still be the test's own (± 10%), from Tcp
// ActiveOpens.
func TestTuneReusedPorts(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	setSysctl(t, "net/ipv4/ip_local_port_range", "40000 40299")
	setSysctl(t, "net/ipv4/tcp_tw_reuse", "2")
	setSysctl(t, "net/ipv4/tcp_timestamps", "1")
	g := closer(t)
	load := pace(100, 10*time.Second, g.TimeWait)
	time.Sleep(3500 * time.Millisecond) // every port in TIME_WAIT: connect() reuses
	var peak float64
	rate := load.measure(func() {
		peak = input(t, proposalOf(t, tuneJSON(t, "--duration", "3s", "--interval", "1s"), "net.ipv4.ip_local_port_range"), "peak_new_per_s")
	})
	if err := load.stop(); err != nil {
		t.Fatal(err)
	}
	if !within(peak, rate, 0.1) {
		t.Errorf("peak %.1f new connections/s, want the test's own %.1f ± 10%%", peak, rate)
	}
}
