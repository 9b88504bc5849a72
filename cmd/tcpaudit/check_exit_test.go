package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

func TestCheckFailOn(t *testing.T) {
	tests := []struct {
		host, failOn string
		exit         int
	}{
		// old-kernel-tw-recycle: one critical and one info finding.
		{"old-kernel-tw-recycle", "critical", 1},
		{"old-kernel-tw-recycle", "warning", 1},
		{"old-kernel-tw-recycle", "info", 1},
		{"old-kernel-tw-recycle", "never", 0},
		// misconfigured: warnings and one info, nothing critical.
		{"misconfigured", "critical", 0},
		{"misconfigured", "warning", 1},
		{"misconfigured", "never", 0},
		// memory-pressure: one critical, one warning.
		{"memory-pressure", "critical", 1},
		{"healthy", "info", 0},
		{"healthy", "never", 0},
	}
	for _, tc := range tests {
		t.Run(tc.host+"/"+tc.failOn, func(t *testing.T) {
			code, _, stderr := runCLI(t, "check", "--proc-root", filepath.Join(hostsDir, tc.host), "--fail-on", tc.failOn)
			if code != tc.exit {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.exit, stderr)
			}
		})
	}
}

func TestCheckUsageErrors(t *testing.T) {
	healthy := filepath.Join(hostsDir, "healthy")
	tests := []struct {
		name   string
		args   []string
		stderr string // part of the message
	}{
		{"bogus format", []string{"check", "--proc-root", healthy, "--format", "bogus"}, "bogus"},
		{"unknown flag", []string{"check", "--no-such-flag"}, "no-such-flag"},
		{"bogus fail-on", []string{"check", "--proc-root", healthy, "--fail-on", "sometimes"}, "sometimes"},
		{"unknown profile", []string{"check", "--proc-root", healthy, "--profile", "no-such-profile"}, "no-such-profile"},
		{"missing proc root", []string{"check", "--proc-root", "/nonexistent"}, "/nonexistent"},
		{"proc root is a file", []string{"check", "--proc-root", filepath.Join(healthy, "net", "tcp")}, "not a directory"},
		{"empty proc root", []string{"check", "--proc-root", t.TempDir()}, "not a proc tree"},
		{"positional argument", []string{"check", "extra"}, "extra"},
		{"unknown command", []string{"no-such-command"}, "no-such-command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q does not mention %q", stderr, tc.stderr)
			}
			if stdout != "" {
				t.Errorf("a failed check printed a report:\n%s", stdout)
			}
		})
	}
}

// TestCheckMalformed: each tree has one broken file; the error names the
// file and the line and the exit code is 2.
func TestCheckMalformed(t *testing.T) {
	tests := []struct{ tree, file, line string }{
		{"tcp-nonhex-address", "net/tcp", ":5:"},
		{"tcp-wrong-columns", "net/tcp", ":4:"},
		{"tcp-missing-header", "net/tcp", ":1:"},
		{"tcp6-truncated", "net/tcp6", ":3:"},
		{"netstat-count-mismatch", "net/netstat", ":2:"},
		{"sockstat-nonnumber", "net/sockstat", ":2:"},
	}
	entries, err := os.ReadDir("../../testdata/malformed")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(tests) {
		t.Errorf("testdata/malformed has %d trees, the table %d: keep them in step", len(entries), len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.tree, func(t *testing.T) {
			root := filepath.Join("../../testdata/malformed", tc.tree)
			for _, format := range []string{"text", "json"} {
				code, stdout, stderr := runCLI(t, "check", "--proc-root", root, "--format", format)
				if code != exitError {
					t.Errorf("%s: exit %d, want %d", format, code, exitError)
				}
				want := filepath.Join(root, tc.file) + tc.line
				if !strings.Contains(stderr, want) {
					t.Errorf("%s: stderr %q does not name %q", format, stderr, want)
				}
				if stdout != "" {
					t.Errorf("%s: report printed despite the error:\n%s", format, stdout)
				}
			}
		})
	}
}

func TestCheckProfiles(t *testing.T) {
	tests := []struct {
		host, profile string
		exit          int
		failing       []string
	}{
		// client-heavy wants tw_reuse=1 and a wide port range.
		{"healthy", "client-heavy", 1, []string{"ephemeral-port-range", "tw-reuse"}},
		// web-server wants somaxconn >= 4096; the 4.9 host has 128.
		{"old-kernel-tw-recycle", "web-server", 1, []string{"somaxconn-low", "tw-recycle-enabled", "tw-reuse"}},
		// web-server passes a current kernel's defaults (tcp_fin_timeout 60).
		{"healthy", "web-server", 0, nil},
		{"healthy", "baseline,web-server", 0, nil},
		{"close-wait-leak", "web-server", 1, []string{"close-wait-accumulation"}},
	}
	for _, tc := range tests {
		t.Run(tc.host+"/"+tc.profile, func(t *testing.T) {
			code, r := checkJSON(t, "--proc-root", filepath.Join(hostsDir, tc.host), "--profile", tc.profile)
			if code != tc.exit {
				t.Errorf("exit %d, want %d", code, tc.exit)
			}
			if diff := r.statusDiff("failed", tc.failing); diff != "" {
				t.Errorf("failing rules (-want +got):\n%s", diff)
			}
		})
	}
	// The same finding changes severity with the profile.
	severity := func(profile string) string {
		_, r := checkJSON(t, "--proc-root", filepath.Join(hostsDir, "misconfigured"), "--profile", profile)
		for _, f := range r.Findings {
			if f.Rule == "listen-port-in-ephemeral-range" {
				return f.Severity
			}
		}
		return "none"
	}
	if b, w := severity("baseline"), severity("web-server"); b != "info" || w != "warning" {
		t.Errorf("listen-port-in-ephemeral-range: baseline %s, web-server %s; want info, warning", b, w)
	}
}

func TestRulesCommand(t *testing.T) {
	code, out, stderr := runCLI(t, "rules")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got []string
	for _, l := range lines[1:] {
		got = append(got, strings.Fields(l)[0])
	}
	var want []string
	for _, r := range rules.Catalog() {
		want = append(want, r.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rule IDs (-catalog +output):\n%s", diff)
	}
}

// TestRulesForProfile: with --profile, rules shows the severity each rule
// runs at in that profile, or off, as the profile itself says.
func TestRulesForProfile(t *testing.T) {
	code, out, stderr := runCLI(t, "rules", "--profile", "web-server")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cfg, err := profiles.Load("web-server")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.Contains(lines[0], "IN web-server") || len(lines) != len(rules.Catalog())+1 {
		t.Fatalf("header %q, %d lines for %d rules", lines[0], len(lines), len(rules.Catalog()))
	}
	for i, r := range rules.Catalog() {
		want := "off"
		if rc := cfg.Rules[r.ID]; rc.Enabled {
			want = r.Severity.String()
			if rc.Severity != 0 {
				want = rc.Severity.String()
			}
		}
		if got := strings.Fields(lines[i+1])[2]; got != want {
			t.Errorf("%s: %s, want %s", r.ID, got, want)
		}
	}
	if code, _, _ := runCLI(t, "rules", "--profile", "no-such-profile"); code != exitError {
		t.Errorf("unknown profile: exit %d, want 2", code)
	}
}

func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runCLI(t, args...)
		if code != 0 || out != "tcpaudit "+toolVersion()+"\n" {
			t.Errorf("%v: exit %d, output %q", args, code, out)
		}
	}
}

// TestBinaryExitCodes builds the real binary and runs it, proving that main
// exits with run's code.
func TestBinaryExitCodes(t *testing.T) {
	long(t, "builds the binary")
	bin := buildBinary(t, t.TempDir())
	for host, want := range map[string]int{"healthy": 0, "old-kernel-tw-recycle": 1} {
		err := exec.Command(bin, "check", "--proc-root", filepath.Join(hostsDir, host)).Run()
		if got := exitCode(t, err); got != want {
			t.Errorf("%s: exit %d, want %d", host, got, want)
		}
	}
	out, err := exec.Command(bin, "check", "--proc-root", "../../testdata/malformed/tcp-nonhex-address").CombinedOutput()
	if exitCode(t, err) != exitError || !strings.Contains(string(out), "net/tcp:5:") {
		t.Errorf("malformed: %v, output %q; want exit 2 naming net/tcp:5:", err, out)
	}
}

// TestCheckSysctlRoot: with a sysctl.d tree beside the proc tree, the
// configuration rules run: a runtime value that differs from the resolved
// configuration fails, a matching one passes.
func TestCheckSysctlRoot(t *testing.T) {
	const trees = "../../rules/testdata/runtime-config-drift"
	for host, want := range map[string]rules.Status{"healthy": rules.Passed, "misconfigured": rules.Failed} {
		_, r := checkJSON(t, "--proc-root", filepath.Join(hostsDir, host), "--sysctl-root", filepath.Join(trees, host))
		got := rules.Status("missing")
		for _, e := range r.Rules {
			if e.Rule == "runtime-config-drift" {
				got = rules.Status(e.Status)
			}
		}
		if got != want {
			t.Errorf("%s: runtime-config-drift %s, want %s", host, got, want)
		}
	}
}
