package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestLintUnknownKeyFromKnowledge: without a sys/ directory the keys are
// looked up in the knowledge base; what it does not list is information.
func TestLintUnknownKeyFromKnowledge(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.conf")
	text := "net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.conf.eth7.rp_filter = 1\n" +
		"net.ipv4.tcp_no_such_key = 1\nnet.ipv4.conf.eth0.1.rp_filter = 1\nnet.core.somaxconn = 4096\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range lintReport(t, "--proc-root", t.TempDir(), file).Findings {
		if f.Rule != "lint-syntax" { // line 4 (eth0.1) is a syntax warning too
			got = append(got, fmt.Sprintf("%s %s %d", f.Rule, f.Severity, f.Location.Line))
		}
	}
	if d := cmp.Diff([]string{"lint-unknown-key info 3", "lint-unknown-key info 4"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestLintDirectoryWithSubdirectory: a directory named x.conf inside a
// directory argument is reported (systemd-sysctl fails to read it), and the
// other files are still linted.
func TestLintDirectoryWithSubdirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "20-dir.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "10-a.conf"), []byte("net.ipv4.tcp_tw_recycle = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range lintReport(t, "--proc-root", fakeProcSys(t), dir).Findings {
		got = append(got, fmt.Sprintf("%s %s %s:%d", f.Rule, f.Severity, filepath.Base(f.Location.File), f.Location.Line))
	}
	want := []string{"lint-syntax critical 20-dir.conf:0", "lint-removed-key warning 10-a.conf:1"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestLintOutputFile: --output writes the same report as stdout would,
// through a temporary file, and leaves stdout empty.
func TestLintOutputFile(t *testing.T) {
	root := filepath.Join("testdata", "lint", "bad")
	args := []string{"lint", "--format", "sarif", "--proc-root", t.TempDir(), root}
	codeStdout, want, _ := runCLI(t, args...)
	dir := t.TempDir()
	file := filepath.Join(dir, "lint.sarif")
	code, stdout, stderr := runCLI(t, append(args, "--output", file)...)
	if code != codeStdout || stdout != "" {
		t.Fatalf("exit %d (stdout run %d), stdout %q: %s", code, codeStdout, stdout, stderr)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, string(got)); d != "" {
		t.Errorf("--output differs from stdout (-stdout +file):\n%s", d)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the directory, want only the report", len(entries))
	}
}

// TestLintProfileConflictWithDefaults: a rule that reads several keys judges
// a file that sets only one of them, the others at the kernel's default:
// conf/all/accept_redirects = 1 with conf/default at its default 1 accepts
// redirects, against the hardened profile.
func TestLintProfileConflictWithDefaults(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.conf")
	if err := os.WriteFile(file, []byte("net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.conf.all.accept_redirects = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	proc := fakeProcSys(t, "net.ipv4.tcp_fin_timeout", "net.ipv4.conf.all.accept_redirects")
	var got []string
	for _, f := range lintReport(t, "--profile", "hardened", "--proc-root", proc, file).Findings {
		got = append(got, fmt.Sprintf("%s %s %d", f.Rule, f.Severity, f.Location.Line))
	}
	if d := cmp.Diff([]string{"lint-profile-conflict warning 2"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestMissingKeyOracle checks what lint-unknown-key says with the real
// programs, in a namespace made for the test: systemd-sysctl FILE skips a
// missing key with exit 0, procps sysctl -p FILE fails on it with exit 1,
// with or without '-' before the key.
func TestMissingKeyOracle(t *testing.T) {
	if _, err := exec.LookPath("sysctl"); err != nil {
		t.Skip("sysctl(8) not installed")
	}
	ns := nstest.New(t)
	for _, line := range []string{"net.ipv4.tcp_no_such_key = 1", "-net.ipv4.tcp_no_such_key = 1"} {
		file := filepath.Join(t.TempDir(), "missing.conf")
		if err := os.WriteFile(file, []byte(line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := exec.Command("ip", "netns", "exec", ns, "sysctl", "-q", "-p", file).Run(); err == nil {
			t.Errorf("%q: sysctl -p exit 0, lint says it fails", line)
		}
		for _, bin := range []string{"/usr/lib/systemd/systemd-sysctl", "/lib/systemd/systemd-sysctl"} {
			if _, err := os.Stat(bin); err == nil {
				if out, err := exec.Command("ip", "netns", "exec", ns, bin, file).CombinedOutput(); err != nil {
					t.Errorf("%q: systemd-sysctl: %v (lint says it skips the key with exit 0)\n%s", line, err, out)
				}
				break
			}
		}
		got := lintReport(t, "--proc-root", "/proc", file).Findings
		if len(got) != 1 || got[0].Rule != "lint-unknown-key" {
			t.Errorf("%q: lint findings %+v, want one lint-unknown-key", line, got)
		}
	}
}
