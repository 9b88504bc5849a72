package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLintUnreadable: a tree or directory holding a .conf that cannot be
// read (a FIFO, a symlink loop) exits 2 whatever --fail-on says, after the
// report, naming each such file as the user can open it; its notes never
// say a file was read that was not. conf show exits 2 on the same tree.
func TestLintUnreadable(t *testing.T) {
	root := t.TempDir()
	d := filepath.Join(root, "etc", "sysctl.d")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "10-ok.conf"), []byte("net.ipv4.tcp_syncookies = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo, loop := filepath.Join(d, "30-fifo.conf"), filepath.Join(d, "40-loop.conf")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("41-loop.conf", loop); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("40-loop.conf", filepath.Join(d, "41-loop.conf")); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{root, d} {
		code, out, stderr := runCLI(t, "lint", arg, "--fail-on", "never", "--format", "json")
		if code != exitError || !strings.Contains(stderr, fifo+": ") || !strings.Contains(stderr, loop+": ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("lint %s: exit %d, stderr %q; want 2 naming %s and %s", arg, code, stderr, fifo, loop)
		}
		var r struct{ Notes []string }
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("lint %s: no report before the error: %v", arg, err)
		}
		for _, n := range r.Notes {
			if n == "read "+fifo || n == "read "+loop {
				t.Errorf("lint %s: note %q for a file not read", arg, n)
			}
		}
	}
	if code, _, stderr := runCLI(t, "conf", "show", "--root", root); code != exitError {
		t.Errorf("conf show: exit %d, %s", code, stderr)
	}
}
