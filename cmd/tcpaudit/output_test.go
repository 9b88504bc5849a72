package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/report"
)

func TestCheckOutputFile(t *testing.T) {
	host := filepath.Join(hostsDir, "close-wait-leak")
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "report")
			code, stdout, stderr := runCLI(t, "check", "--proc-root", host, "--format", format, "--output", out)
			if code != exitFindings {
				t.Fatalf("exit %d, want 1 (a CLOSE_WAIT finding): %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty with --output: %q", stdout)
			}
			b, err := os.ReadFile(out)
			if err != nil || len(b) == 0 {
				t.Fatalf("report file: %v (%d bytes)", err, len(b))
			}
			if format == "json" || format == "sarif" {
				var v any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Errorf("--format %s wrote invalid JSON: %v", format, err)
				}
			}
			if strings.Contains(string(b), "\x1b[") {
				t.Error("report file holds ANSI colour codes")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only the report (no temporary file left)", len(entries))
			}
		})
	}
}

func TestCheckOutputUnwritable(t *testing.T) {
	code, _, stderr := runCLI(t, "check", "--proc-root", filepath.Join(hostsDir, "healthy"), "--output", "/nonexistent/dir/report.json")
	if code != exitError || !strings.Contains(stderr, "/nonexistent/dir/report.json") {
		t.Errorf("exit %d, stderr %q; want 2 naming the file", code, stderr)
	}
}

func TestCheckUnknownFormat(t *testing.T) {
	code, _, stderr := runCLI(t, "check", "--proc-root", filepath.Join(hostsDir, "healthy"), "--format", "yaml")
	if code != exitError || !strings.Contains(stderr, strings.Join(report.Formats, ", ")) {
		t.Errorf("exit %d, stderr %q; want 2 listing the formats", code, stderr)
	}
}

// TestSocketsOutputFile: sockets -o FILE writes the view to the file as
// check -o does: nothing on stdout, no colour, a regular file replaced
// keeping its mode with no temporary file left, and left as it was when
// the run fails; the environment cannot name the file.
func TestSocketsOutputFile(t *testing.T) {
	root := filepath.Join(hostsDir, "close-wait-leak")
	want := runSocketsJSON(t, "--proc-root", root)
	dir := t.TempDir()
	out := filepath.Join(dir, "sockets.json")
	if err := os.WriteFile(out, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "sockets", "--proc-root", root, "--format", "json", "-o", out)
	if code != exitOK || stdout != "" {
		t.Fatalf("sockets -o: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	var got socketsDoc
	if b, err := os.ReadFile(out); err != nil || json.Unmarshal(b, &got) != nil {
		t.Fatalf("the file: %v\n%s", err, b)
	}
	if d := cmp.Diff(want.States, got.States); d != "" || got.Total != want.Total {
		t.Errorf("the file's view differs from stdout's (-stdout +file):\n%s", d)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the replaced file: %v, mode %v; want 0600 kept", err, st.Mode())
	}
	noColourInFile(t, root, out)
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the directory, want the file alone (no temporary file)", len(entries))
	}
	before, _ := os.ReadFile(out)
	code, _, stderr = runCLI(t, "sockets", "--proc-root", filepath.Join(dir, "missing"), "-o", out)
	if after, _ := os.ReadFile(out); code != exitError || string(after) != string(before) {
		t.Errorf("a failed run: exit %d (%s), the file changed: %v", code, stderr, string(after) != string(before))
	}
	t.Setenv("TCPAUDIT_OUTPUT", filepath.Join(dir, "env.json"))
	if code, _, _ := runCLI(t, "sockets", "--proc-root", root); code != exitError {
		t.Errorf("TCPAUDIT_OUTPUT without -o: exit %d, want %d (refused)", code, exitError)
	}
	if _, err := os.Stat(filepath.Join(dir, "env.json")); err == nil {
		t.Error("TCPAUDIT_OUTPUT wrote a file")
	}
}

// TestSocketsNetnsOutputFile: sockets --netns NAME -o FILE writes the
// sections of the namespace, as they come, into the file alone.
func TestSocketsNetnsOutputFile(t *testing.T) {
	ns := nstest.New(t)
	out := filepath.Join(t.TempDir(), "sockets.txt")
	code, stdout, stderr := runCLI(t, "sockets", "--netns", ns, "-o", out)
	b, err := os.ReadFile(out)
	if code != exitOK || stdout != "" || err != nil || !strings.HasPrefix(string(b), "== "+ns+" (named, net:[") {
		t.Errorf("sockets --netns %s -o: exit %d, stdout %q, stderr %s\nfile (%v):\n%s", ns, code, stdout, stderr, err, b)
	}
}

// noColourInFile: sockets run with stdout on a terminal colours its bars
// there, and writes none into the file -o names.
func noColourInFile(t *testing.T, root, out string) {
	t.Helper()
	master, slave := openPTY(t)
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"sockets", "--proc-root", root}, slave, &stderr); code != exitOK {
		t.Fatalf("sockets on a terminal: exit %d: %s", code, stderr.String())
	}
	if got := readTerminal(master, "\x1b["); !strings.Contains(got, "\x1b[") {
		t.Fatalf("sockets on a terminal: no colour to leave out of the file:\n%q", got)
	}
	if code := run(context.Background(), []string{"sockets", "--proc-root", root, "-o", out}, slave, &stderr); code != exitOK {
		t.Fatalf("sockets -o with stdout on a terminal: exit %d: %s", code, stderr.String())
	}
	if b, _ := os.ReadFile(out); strings.Contains(string(b), "\x1b[") || !strings.Contains(string(b), "CLOSE_WAIT") {
		t.Errorf("the file written with stdout on a terminal:\n%q", b)
	}
}

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
