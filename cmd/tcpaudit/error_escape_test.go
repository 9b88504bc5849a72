package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorEscaped: the final error is printed escaped, the os error's
// text about the path included: `check --netns` and `watch --netns` with
// an escape sequence in the name exit 2 and print no ESC.
func TestErrorEscaped(t *testing.T) {
	bin := buildBinary(t, t.TempDir())
	for _, args := range [][]string{
		{"check", "--netns", "bad\x1b[31m"},
		{"watch", "--netns", "/run/netns/x\x1b[31m"},
		{"check", "--netns", "bad\nfake: line"},
	} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if code := exitCode(t, err); code != exitError {
			t.Errorf("%q: exit %d, want %d:\n%s", args, code, exitError, out)
		}
		if strings.ContainsAny(string(out), "\x1b\a") || strings.Count(string(out), "\n") != 1 {
			t.Errorf("%q: raw control characters in %q", args, out)
		}
		if !strings.Contains(string(out), `\x1b[31m`) && !strings.Contains(string(out), `bad\nfake`) {
			t.Errorf("%q: want the name escaped in %q", args, out)
		}
	}
}

// TestErrorCanceledOnce: a run whose context is done says so once, not
// once per namespace it did not audit.
func TestErrorCanceledOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{{"check", "--all-netns"}, {"sockets", "--all-netns"}} {
		var out, errOut strings.Builder
		code := run(ctx, args, &out, &errOut)
		if n := strings.Count(errOut.String(), "context canceled"); code != exitError || n != 1 {
			t.Errorf("%q: exit %d, %d times context canceled, want exit 2 and once:\n%s", args, code, n, errOut.String())
		}
	}
}

// TestSnapshotPathEscaped: snapshot's closing line names the proc root
// and the file written escaped: a newline and ESC in the file name reach
// standard error as \n and \x1b.
func TestSnapshotPathEscaped(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "snap\nfake: line\x1b[31m.tar.gz")
	code, _, errOut := runCLI(t, "snapshot", "--proc-root", filepath.Join(hostsDir, "healthy"), dst)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	if strings.ContainsRune(errOut, 0x1b) || strings.Contains(errOut, "\nfake: line") || !strings.Contains(errOut, `snap\nfake: line\x1b[31m.tar.gz`) {
		t.Errorf("want the file name escaped in %q", errOut)
	}
}

// TestErrorOneEscaper: a BEL in a --netns name is written \x07 wherever
// the error shows it, the quoted name as the path: one escaper
// (internal/visible), never Go's \a beside it.
func TestErrorOneEscaper(t *testing.T) {
	for _, cmd := range []string{"check", "sockets", "fix", "tune", "watch"} {
		code, _, stderr := runCLI(t, cmd, "--netns", "bel\ab")
		if code != exitError || strings.Contains(stderr, `\a`) || !strings.Contains(stderr, `"bel\x07b"`) {
			t.Errorf("%s --netns: exit %d, want %d and the name as \"bel\\x07b\" only:\n%s", cmd, code, exitError, stderr)
		}
	}
}
