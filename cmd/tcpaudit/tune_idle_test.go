package main

import (
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/tune"
)

// TestTuneIdleTimeWait: 30 TIME_WAIT entries made before tune starts and
// no traffic while it watches give tcp_tw_reuse no verdict: none was
// created, so it is insufficient-data like the other keys.
func TestTuneIdleTimeWait(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	g := closer(t)
	for range 30 {
		if err := g.TimeWait(); err != nil {
			t.Fatal(err)
		}
	}
	p := proposalOf(t, tuneJSON(t, "--duration", "1s", "--interval", "500ms"), "net.ipv4.tcp_tw_reuse")
	if p.Verdict != tune.InsufficientData || !strings.Contains(p.Formula, "0 TIME_WAIT entries created") {
		t.Errorf("tcp_tw_reuse from stale entries only: %s %q, want insufficient-data", p.Verdict, p.Formula)
	}
}

// TestTuneDiffLabel: tune --diff in a namespace that is not the host's
// says why no drop-in is offered under its own name, not fix's.
func TestTuneDiffLabel(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	code, _, stderr := runCLI(t, "tune", "--duration", "500ms", "--interval", "500ms", "--root", emptyRoot(t), "--diff")
	if code != exitOK || !strings.HasPrefix(stderr, "tcpaudit tune: ") || strings.Contains(stderr, "tcpaudit fix") || !strings.Contains(stderr, "not the host's") {
		t.Errorf("tune --diff in a namespace: exit %d, stderr:\n%s", code, stderr)
	}
}
