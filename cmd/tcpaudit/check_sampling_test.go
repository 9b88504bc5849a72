package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"check", "--format", "json", "--profile-file", prof, "--profile", "cw",
		"--samples", "2", "--interval", "50ms", "--source", "netlink"}, &out, &errb)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d: %s", code, exitFindings, errb.String())
	}
	var rep struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Observed string `json:"observed"`
		} `json:"findings"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Notes, func(n string) bool {
		return strings.Contains(n, "2 CLOSE_WAIT sockets present in every sample") && strings.Contains(n, "TcpExt ListenOverflows")
	}) {
		t.Errorf("notes %q: want the sampling summary", rep.Notes)
	}
	for _, f := range rep.Findings {
		if f.Rule == "close-wait-accumulation" {
			if !strings.Contains(f.Observed, "2 of them stayed in CLOSE_WAIT through all 2 samples") {
				t.Errorf("observed %q: want the 2 stuck sockets", f.Observed)
			}
			return
		}
	}
	t.Errorf("no close-wait-accumulation finding in %s", out.String())
}
