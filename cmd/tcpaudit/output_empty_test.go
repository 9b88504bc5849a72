package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputEmptyRefused: -o "" (a variable left unset in a CI step) is
// refused, not taken as stdout.
func TestOutputEmptyRefused(t *testing.T) {
	for _, cmd := range []string{"check", "sockets"} {
		code, out, stderr := runCLI(t, cmd, "--proc-root", filepath.Join(hostsDir, "healthy"), "-o", "")
		if code != exitError || out != "" || !strings.Contains(stderr, "--output is empty") {
			t.Errorf("%s -o '': exit %d, stdout %d bytes, stderr %q; want exit 2 saying --output is empty", cmd, code, len(out), stderr)
		}
	}
}

// TestSocketsOutputAuditError: when the audit itself fails, sockets -o says
// why, as check -o does, not that the file could not be written; the file is
// left as it was.
func TestSocketsOutputAuditError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "k.txt")
	if err := os.WriteFile(file, []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "sockets", "--proc-root", t.TempDir(), "-o", file)
	if code != exitError || strings.Contains(stderr, "write "+file) {
		t.Errorf("exit %d, stderr %q; want exit 2 with the audit's error, not a write error", code, stderr)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "before\n" {
		t.Errorf("file now %q (%v), want it untouched", b, err)
	}
}
