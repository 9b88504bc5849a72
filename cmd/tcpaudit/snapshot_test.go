package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// liveOnlyRules read the sysctl.d tree of the live host, which a snapshot
// does not hold; on a snapshot they are skipped.
var liveOnlyRules = []string{"runtime-config-drift"}

// ruleStatuses runs check and returns each rule's status, leaving out
// liveOnlyRules.
func ruleStatuses(t *testing.T, args ...string) map[string]string {
	t.Helper()
	m := allRuleStatuses(t, args...)
	for _, id := range liveOnlyRules {
		delete(m, id)
	}
	return m
}

// allRuleStatuses runs check and returns each rule's status.
func allRuleStatuses(t *testing.T, args ...string) map[string]string {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"check", "--format", "json", "--fail-on", "never"}, args...)...)
	if code != exitOK {
		t.Fatalf("check %v: exit %d: %s", args, code, stderr)
	}
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	m := make(map[string]string)
	for _, e := range r.Rules {
		m[e.Rule] = e.Status
	}
	return m
}

// TestSnapshotRoundTrip snapshots this host's /proc to a directory and a
// tarball and checks that auditing either gives the rule statuses of the
// live audit, and that the test's own listening socket is in the snapshot.
// Sockets opened or closed by other processes in between can change a
// socket rule's status, so a mismatch is retried, at most three times.
func TestSnapshotRoundTrip(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	inode := socketInode(t, ln.(*net.TCPListener))
	var diffs []string
	for attempt := 1; attempt <= 3; attempt++ {
		dir, d := snapshotMatchesLive(t)
		if attempt == 1 && !holdsSocket(t, filepath.Join(dir, fmt.Sprint(os.Getpid()), "fd"), inode) {
			t.Errorf("snapshot lacks this process's descriptor for socket:[%d]", inode)
		}
		if d == "" {
			return
		}
		diffs = append(diffs, fmt.Sprintf("attempt %d:\n%s", attempt, d))
	}
	t.Errorf("audits of the snapshot differ from the live audit:\n%s", strings.Join(diffs, "\n"))
}

// snapshotMatchesLive writes a directory and a tarball snapshot, audits
// both and the live host, and returns the directory and the differences.
func snapshotMatchesLive(t *testing.T) (string, string) {
	t.Helper()
	tmp := t.TempDir()
	dir, tarball := filepath.Join(tmp, "snap"), filepath.Join(tmp, "snap.tar.gz")
	for _, dst := range []string{dir, tarball} {
		if code, _, stderr := runCLI(t, "snapshot", dst); code != exitOK {
			t.Fatalf("snapshot %s: exit %d: %s", dst, code, stderr)
		}
	}
	live := allRuleStatuses(t)
	var d string
	if x := cmp.Diff(live, allRuleStatuses(t, "--proc-root", dir, "--sysctl-root", "/")); x != "" {
		d += "check --proc-root --sysctl-root / (-live +snapshot):\n" + x
	}
	for _, id := range liveOnlyRules {
		delete(live, id)
	}
	if x := cmp.Diff(live, ruleStatuses(t, "--snapshot", tarball)); x != "" {
		d += "check --snapshot (-live +snapshot):\n" + x
	}
	return dir, d
}

func socketInode(t *testing.T, ln *net.TCPListener) uint64 {
	t.Helper()
	f, err := ln.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

func holdsSocket(t *testing.T, fdDir string, inode uint64) bool {
	t.Helper()
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
		if err == nil && target == fmt.Sprintf("socket:[%d]", inode) {
			return true
		}
	}
	return false
}

func TestSnapshotErrors(t *testing.T) {
	existing := t.TempDir()
	for name, args := range map[string][]string{
		"existing directory": {"snapshot", existing},
		"no proc root":       {"snapshot", "--proc-root", "/nonexistent", filepath.Join(existing, "x")},
		"missing tarball":    {"check", "--snapshot", "/nonexistent.tar.gz"},
		"not a tarball":      {"check", "--snapshot", "snapshot_test.go"},
		"two sources":        {"check", "--snapshot", "x.tar.gz", "--proc-root", hostsDir + "/healthy"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitError || !strings.Contains(stderr, "tcpaudit:") {
			t.Errorf("%s: exit %d, stderr %q; want 2 and a message", name, code, stderr)
		}
	}
}

// TestSnapshotToStdout writes the tarball to stdout and audits it.
func TestSnapshotToStdout(t *testing.T) {
	code, out, stderr := runCLI(t, "snapshot", "--proc-root", filepath.Join(hostsDir, "close-wait-leak"), "-")
	if code != exitOK {
		t.Fatalf("snapshot -: exit %d: %s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "host.tar.gz")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	want := ruleStatuses(t, "--proc-root", filepath.Join(hostsDir, "close-wait-leak"))
	if d := cmp.Diff(want, ruleStatuses(t, "--snapshot", file)); d != "" {
		t.Errorf("audit of the snapshot differs (-original +snapshot):\n%s", d)
	}
}

// TestSnapshotTarballIsDirectory: a tarball name that is a directory is
// refused (exit 2) with a message about the snapshot tarball, not a report.
func TestSnapshotTarballIsDirectory(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "dd.tgz")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "snapshot", "--proc-root", filepath.Join(hostsDir, "healthy"), dst)
	if code != exitError || !strings.Contains(stderr, "snapshot tarball") || !strings.Contains(stderr, "a directory") ||
		strings.Contains(stderr, "report") {
		t.Errorf("exit %d, stderr %q; want 2 and a message about the snapshot tarball", code, stderr)
	}
	if entries, err := os.ReadDir(dst); err != nil || len(entries) != 0 {
		t.Errorf("the directory changed: %v %v", entries, err)
	}
}
