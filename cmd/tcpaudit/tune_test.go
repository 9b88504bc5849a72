package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/fixture"
	"github.com/tcpaudit/tcpaudit/tune"
)

// TestTuneFixtureListener: on a captured host whose listener 0.0.0.0:8443
// has 4,097 connections queued, somaxconn is sized 4,097 × 1.5 = 6,146,
// the listener is named with its process (whose name holds escape
// sequences: escaped in the text and in the drop-in), and the backlog the
// /proc source cannot show is said to be unknown.
func TestTuneFixtureListener(t *testing.T) {
	host := fixture.Copy(t, filepath.Join(hostsDir, "listen-overflow"))
	if err := os.WriteFile(filepath.Join(host, "2400", "comm"), []byte(hostileComm+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--proc-root", host, "--duration", "1s", "--interval", "1s"}
	p := proposalOf(t, tuneJSON(t, args...), "net.core.somaxconn")
	if p.Verdict != tune.Change || p.Proposed != "6146" || !strings.Contains(p.Formula, "backlog is unknown") {
		t.Errorf("somaxconn: %s %q %s", p.Verdict, p.Proposed, p.Formula)
	}
	for _, extra := range [][]string{nil, {"--diff", "--root", t.TempDir()}} {
		code, out, stderr := runCLI(t, append(append([]string{"tune"}, args...), extra...)...)
		if code != exitOK || strings.ContainsAny(out+stderr, "\x1b\a") || !strings.Contains(out, `(pid 2400 \x1b]0;x\x07\x1b[31mev)`) {
			t.Errorf("tune %v: exit %d, want the process name escaped:\n%q\n%s", extra, code, out, stderr)
		}
		if extra != nil && !strings.Contains(out, "+net.core.somaxconn = 6146") {
			t.Errorf("--diff does not set somaxconn:\n%s", out)
		}
	}
}

// TestTuneUsage: bad options exit 2 before observing.
func TestTuneUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--interval", "0s"},
		{"--duration", "1s", "--interval", "2s"},
		{"--format", "xml"},
		{"--diff", "--write", "x.conf"},
		{"--source", "bpf"},
	} {
		if code, _, stderr := runCLI(t, append([]string{"tune"}, args...)...); code != exitError || stderr == "" {
			t.Errorf("tune %v: exit %d %q, want 2 with a message", args, code, stderr)
		}
	}
}
