package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nobody is the unprivileged user the commands run as.
const nobody = 65534

// nobodyBinary builds the binary into a fresh directory that the user
// nobody can reach and returns both; it skips unless the test runs as root.
func nobodyBinary(t *testing.T) (dir, bin string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run commands as another user (nobody)")
	}
	long(t, "builds the binary")
	dir = t.TempDir()
	// TempDir and its parent are private; the other user must reach them.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for p := filepath.Dir(filepath.Dir(dir)); p != filepath.Dir(p); p = filepath.Dir(p) {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o001 == 0 {
			t.Skipf("%s is not searchable by other users (TMPDIR?)", p)
		}
	}
	return dir, buildBinary(t, dir)
}

// TestUnprivilegedLiveHost runs every command that reads the host as
// nobody against the live /proc while the test (root) holds a CLOSE_WAIT
// socket: each runs (exit 0 or 1, never 2), and the reports say that the
// sockets of processes nobody cannot read were not attributed and to run
// as root.
func TestUnprivilegedLiveHost(t *testing.T) {
	_, bin := nobodyBinary(t)
	holdCloseWait(t)

	for _, args := range [][]string{
		{"check"},
		{"check", "--source", "proc"},
		{"sockets"},
		{"sockets", "--source", "proc", "--by", "port"},
		{"conf", "show"},
		{"lint", "/"},
		{"fix"},
		{"rules"},
		{"profiles"},
		{"explain", "CLOSE_WAIT"},
	} {
		if code, _, stderr := runAsNobody(t, bin, args...); code != exitOK && code != exitFindings {
			t.Errorf("tcpaudit %s as nobody: exit %d, want 0 or 1\n%s", strings.Join(args, " "), code, stderr)
		}
	}

	code, out, stderr := runAsNobody(t, bin, "check", "--format", "json")
	if code == exitError {
		t.Fatalf("check as nobody: exit 2\n%s", stderr)
	}
	r := parseReport(t, []byte(out))
	m := regexp.MustCompile(`(\d+) CLOSE_WAIT sockets? not attributed: run as root`).FindStringSubmatch(strings.Join(r.Notes, "\n"))
	if m == nil {
		t.Fatalf("notes %q: want \"N CLOSE_WAIT sockets not attributed: run as root\"", r.Notes)
	}
	t.Logf("as nobody: %s", m[0])
	if n, _ := strconv.Atoi(m[1]); n < 1 {
		t.Errorf("%s: want at least the test's own CLOSE_WAIT socket", m[0])
	}

	_, out, stderr = runAsNobody(t, bin, "sockets", "--by", "process")
	if !strings.Contains(out+stderr, "processes could not be read (run as root)") {
		t.Errorf("sockets --by process as nobody does not say what it could not attribute:\n%s\n%s", out, stderr)
	}

	// The BPF iterator asked for by name cannot load without privilege: an
	// error saying why, not a report of another method's answer. Auto
	// falls back (above); --no-owners asks for no attribution at all.
	// With several namespaces too: before any is entered, so that the
	// refusal is not taken for a namespace that may not be entered.
	for _, args := range [][]string{{"check"}, {"sockets"}, {"sockets", "--format", "json"}, {"sockets", "--by", "process"}, {"check", "--all-netns"}, {"sockets", "--all-netns"}} {
		args = append(args, "--attribution", "bpf")
		code, out, stderr := runAsNobody(t, bin, args...)
		if code != exitError || out != "" || !strings.Contains(stderr, "attribution bpf: ") || !strings.Contains(stderr, "needs root") {
			t.Errorf("tcpaudit %s as nobody: exit %d, stdout %q, stderr %q; want exit 2 and why", strings.Join(args, " "), code, out, stderr)
		}
	}
	if code, _, stderr := runAsNobody(t, bin, "sockets", "--no-owners", "--attribution", "bpf"); code != exitOK {
		t.Errorf("sockets --no-owners --attribution bpf as nobody: exit %d, want 0\n%s", code, stderr)
	}
}

// TestCheckUnreadableProcesses runs the binary as nobody on a copy of
// close-wait-leak whose java process (pid 2214, 150 CLOSE_WAIT sockets)
// has an fd directory only root may read: the report says those and the
// one socket no process holds (151) are not attributed and to run as root,
// and still exits 1 for the finding rather than failing.
func TestCheckUnreadableProcesses(t *testing.T) {
	dir, bin := nobodyBinary(t)
	root := filepath.Join(dir, "proc")
	if out, err := exec.Command("cp", "-a", filepath.Join(hostsDir, "close-wait-leak"), root).CombinedOutput(); err != nil {
		t.Fatalf("copy the fixture: %v\n%s", err, out)
	}
	if err := os.Chmod(filepath.Join(root, "2214", "fd"), 0o700); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runAsNobody(t, bin, "check", "--format", "json", "--proc-root", root)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	r := parseReport(t, []byte(out))
	if !strings.Contains(strings.Join(r.Notes, "\n"), "151 CLOSE_WAIT sockets not attributed: run as root (1 process could not be read)") {
		t.Errorf("notes %q: want 151 (150 of java, 1 held by no process) not attributed, run as root", r.Notes)
	}
	if f := r.findings("close-wait-accumulation"); len(f) != 1 || len(f[0].Fix.Processes) != 1 || f[0].Fix.Processes[0].PID != 3377 {
		t.Errorf("close-wait-accumulation findings %+v: want one, owned only by the readable python3 (pid 3377)", f)
	}
}

// runAsNobody runs the binary as nobody with no supplementary groups.
func runAsNobody(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/nonexistent", "NO_COLOR=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("tcpaudit %s as nobody: still running after 60s", strings.Join(args, " "))
	}
	return exitCode(t, err), stdout.String(), stderr.String()
}
