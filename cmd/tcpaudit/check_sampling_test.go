package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestCheckSamplingStuckCloseWait samples a fresh namespace holding
// CLOSE_WAIT sockets with a profile that warns at 1: the
// close-wait-accumulation finding must report them as stuck through every
// sample, and name this process as their owner.
func TestCheckSamplingStuckCloseWait(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	makeTestSockets(t)
	prof := filepath.Join(t.TempDir(), "cw.yaml")
	if err := os.WriteFile(prof, []byte("name: cw\nextends: baseline\nrules:\n  close-wait-accumulation:\n    params: {warning: 1, critical: 1000, top: 5}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "check", "--format", "json", "--profile-file", prof, "--profile", "cw",
		"--samples", "2", "--interval", "50ms", "--source", "netlink")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d: %s", code, exitFindings, stderr)
	}
	rep := parseReport(t, []byte(out))
	if !slices.ContainsFunc(rep.Notes, func(n string) bool {
		return strings.Contains(n, "2 CLOSE_WAIT sockets present in every sample") && strings.Contains(n, "TcpExt ListenOverflows")
	}) {
		t.Errorf("notes %q: want the sampling summary", rep.Notes)
	}
	f := rep.findings("close-wait-accumulation")
	if len(f) == 0 {
		t.Fatalf("no close-wait-accumulation finding in %s", out)
	}
	if !strings.Contains(f[0].Observed, "2 of them stayed in CLOSE_WAIT through all 2 samples") {
		t.Errorf("observed %q: want the 2 stuck sockets", f[0].Observed)
	}
}
