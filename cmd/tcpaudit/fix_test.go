package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// fixHost is a fixture host with sysctl findings.
var fixHost = filepath.Join(hostsDir, "misconfigured")

// emptyRoot is a configuration tree with only an empty /etc/sysctl.d.
func emptyRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "sysctl.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// failedRules returns the rules that failed in a `check --format json` run.
func failedRules(t *testing.T, args ...string) map[string]bool {
	t.Helper()
	_, r := checkJSON(t, args...)
	out := map[string]bool{}
	for _, id := range r.withStatus("failed") {
		out[id] = true
	}
	return out
}

// TestFixFixes proves on the real kernel that the fix repairs what check
// finds: in a network namespace made for the test, narrow the port range
// and raise tcp_fin_timeout, check, run fix, apply what it prints, check
// again. The namespace is not the host's, so fix refuses --write (a
// sysctl.d drop-in would change the host at its next boot) before printing
// anything, and without it prints the `ip netns exec` lines instead.
func TestFixFixes(t *testing.T) {
	if _, err := exec.LookPath("sysctl"); err != nil {
		t.Skip("needs sysctl(8) from procps to apply the fix")
	}
	if !nstest.Enter(t) {
		return // the test ran in the namespace
	}
	if out, err := exec.Command("sysctl", "-q", "-w",
		"net.ipv4.ip_local_port_range=50000 51000", "net.ipv4.tcp_fin_timeout=120").CombinedOutput(); err != nil {
		t.Fatalf("set bad sysctls: %v: %s", err, out)
	}
	fixInsideNetns(t)
}

func fixInsideNetns(t *testing.T) {
	root := emptyRoot(t)
	before := failedRules(t, "--proc-root", "/proc", "--sysctl-root", root)
	for _, id := range []string{"ephemeral-port-range", "fin-timeout"} {
		if !before[id] {
			t.Fatalf("check in the namespace does not report %s: %v", id, before)
		}
	}
	file := filepath.Join(root, "etc", "sysctl.d", sysctlconf.DefaultDropIn)
	code, out, stderr := runCLI(t, "fix", "--proc-root", "/proc", "--root", root, "--write", file)
	if _, err := os.Stat(file); code != exitError || err == nil || out != "" || !strings.Contains(stderr, "not the host's") {
		t.Fatalf("fix --write in a namespace: exit %d, %s written (%v); want it refused, nothing printed\n%s%s", code, file, err == nil, out, stderr)
	}
	if code, out, stderr = runCLI(t, "fix", "--proc-root", "/proc", "--root", root); code != exitOK {
		t.Fatalf("fix in a namespace: exit %d\n%s%s", code, out, stderr)
	}
	var commands []string
	for line := range strings.Lines(out) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			commands = append(commands, line)
		}
	}
	for _, c := range commands {
		if !strings.HasPrefix(c, "ip netns exec tcpaudit-test-") {
			t.Fatalf("%q: want ip netns exec lines for the test's namespace\n%s", c, out)
		}
		if out, err := exec.Command("sh", "-c", c).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", c, err, out)
		}
	}
	t.Logf("failing before: %v\nfix:\n%s", before, out)
	after := failedRules(t, "--proc-root", "/proc", "--sysctl-root", root)
	for id := range before {
		if after[id] && strings.Contains(out, "# "+id+":") {
			t.Errorf("%s still fails after applying its fix:\n%s", id, out)
		}
	}
	t.Logf("failing after the fix: %v", after)
	for _, id := range []string{"ephemeral-port-range", "fin-timeout"} {
		if after[id] {
			t.Errorf("%s fails after the fix was applied", id)
		}
	}
}

// TestFixDiffApplies: the diff of a tree applies with patch -p1 -d ROOT and
// then every fixed key wins in the resolved tree.
func TestFixDiffApplies(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch(1) not installed")
	}
	root := t.TempDir()
	if out, err := exec.Command("cp", "-a", "../../sysctlconf/testdata/trees/legacy/.", root).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	conf := filepath.Join(root, "etc", "sysctl.conf")
	if err := os.WriteFile(conf, []byte("net.ipv4.tcp_fin_timeout = 120\nnet.core.somaxconn = 64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, diff, stderr := runCLI(t, "fix", "--proc-root", fixHost, "--root", root, "--diff")
	if code != exitOK || !strings.Contains(diff, "--- a/etc/sysctl.conf") {
		t.Fatalf("fix --diff: exit %d, want an edit of etc/sysctl.conf\n%s%s", code, diff, stderr)
	}
	_, drop, _ := runCLI(t, "fix", "--proc-root", fixHost, "--root", root)
	f, err := sysctlconf.Parse(strings.NewReader(drop), "drop-in")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("patch", "-p1", "-d", root, "--batch", "--forward")
	cmd.Stdin = strings.NewReader(diff)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s\n%s", err, out, diff)
	}
	after, err := sysctlconf.Resolve(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range f.Entries {
		got, ok := after.Lookup(e.Key)
		if !ok || got.Value != e.Value {
			t.Errorf("%s = %q after patch, want %q\n%s", e.Key, got.Value, e.Value, diff)
		}
	}
	if len(f.Entries) < 2 {
		t.Errorf("drop-in has %d entries, want the fixture's findings\n%s", len(f.Entries), drop)
	}
}

// TestFixWrite: nothing is written without --write; --write replaces a
// file atomically and keeps the previous version.
func TestFixWrite(t *testing.T) {
	root := emptyRoot(t)
	_, drop, _ := runCLI(t, "fix", "--proc-root", fixHost, "--root", root)
	if entries, _ := os.ReadDir(filepath.Join(root, "etc", "sysctl.d")); len(entries) != 0 {
		t.Fatalf("fix without --write wrote %v", entries)
	}
	file := filepath.Join(root, "etc", "sysctl.d", "90-tcpaudit.conf")
	old := sysctlconf.GeneratedMark + ", profile old\n"
	if err := os.WriteFile(file, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "fix", "--proc-root", fixHost, "--root", root, "--write", file); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(file)
	backup, _ := os.ReadFile(file + ".bak")
	if string(got) != drop || string(backup) != old {
		t.Errorf("written %q (want the printed drop-in), backup %q", got, backup)
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
	if code, _, _ := runCLI(t, "fix", "--diff", "--write", file); code != exitError {
		t.Errorf("--diff with --write: exit %d, want 2", code)
	}
	code, _, stderr := runCLI(t, "fix", "--root", "", "--proc-root", filepath.Join(hostsDir, "misconfigured"))
	if code != exitError || !strings.Contains(stderr, "--root") {
		t.Errorf("--root \"\": exit %d, stderr %q; want 2 naming --root", code, stderr)
	}
}

// TestFixWriteWarnsOnLosingName: a --write name that sorts before a file
// setting the same keys would lose at boot; fix says so and names one that
// wins.
func TestFixWriteWarnsOnLosingName(t *testing.T) {
	root := t.TempDir()
	if out, err := exec.Command("cp", "-a", "../../sysctlconf/testdata/trees/legacy/.", root).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	file := filepath.Join(root, "etc", "sysctl.d", "50-mine.conf")
	code, _, stderr := runCLI(t, "fix", "--proc-root", fixHost, "--root", root, "--write", file)
	if code != exitOK || !strings.Contains(stderr, "50-mine.conf sorts before files that set 1 of these keys and win at boot: net.ipv4.tcp_fin_timeout (/etc/sysctl.d/99-sysctl.conf:1)") || !strings.Contains(stderr, "name it 99-sysctl_tcpaudit.conf") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	// The header written says the same as stderr: 99-sysctl.conf (a symlink
	// to ../sysctl.conf) sorts after it and wins, and so does
	// /usr/lib/sysctl.d/50-vendor.conf; no file sorts before it.
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var after, wins string
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.Contains(l, "sorts after"):
			after = l
		case strings.Contains(l, "win at boot"):
			wins = l
		}
	}
	if after != "" || !strings.Contains(wins, "/usr/lib/sysctl.d/50-vendor.conf, /etc/sysctl.d/99-sysctl.conf;") || !strings.Contains(wins, "99-sysctl_tcpaudit.conf") {
		t.Errorf("header of %s not what stderr says:\n%s", file, b)
	}
}
