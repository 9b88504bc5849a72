package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/tcpaudit/tcpaudit/containers"
)

// TestFixSnapshotOfNamespace: a snapshot taken under `ip netns exec` in a
// namespace made by the test records that namespace; fix on it offers no
// drop-in of the host (it says why, points to --netns and prints the ip
// netns form), refuses --write and --diff before printing anything.
// Without the record (a snapshot taken before it existed) fix offers the
// drop-in as it always did; a forged record is an error naming the file.
func TestFixSnapshotOfNamespace(t *testing.T) {
	g := newGuest(t)
	snap := filepath.Join(t.TempDir(), "snap")
	if code, out, stderr := runBinary(t, g.ip, "netns", "exec", g.ns, g.bin, "snapshot", snap); code != exitOK {
		t.Fatalf("snapshot in %s: exit %d\n%s%s", g.ns, code, out, stderr)
	}
	o, ok, err := containers.ReadOrigin(snap)
	if err != nil || !ok || o.Host() || o.Name != g.ns {
		t.Fatalf("origin of the snapshot: %+v %v %v, want namespace %s, not the host's", o, ok, err, g.ns)
	}
	code, out, stderr := runBinary(t, g.bin, "fix", "--proc-root", snap, "--root", g.root)
	checkGuestFix(t, []string{"fix", "--proc-root", snap}, code, exitOK, out, stderr, g.ns)
	if !strings.Contains(stderr, "snapshot was taken in network namespace") || !strings.Contains(stderr, "--netns") {
		t.Errorf("fix on the snapshot: no pointer to --netns:\n%s", stderr)
	}
	for _, flag := range [][]string{{"--write", g.file}, {"--diff"}} {
		args := append([]string{g.bin, "fix", "--proc-root", snap, "--root", g.root}, flag...)
		code, out, stderr := runBinary(t, args...)
		if code != exitError || out != "" || !strings.Contains(stderr, flag[0]+": refused: the snapshot was taken in network namespace") {
			t.Errorf("%v: exit %d, want %d, nothing printed and the reason:\n%s%s", flag, code, exitError, out, stderr)
		}
	}
	if _, err := os.Stat(g.file); err == nil {
		t.Fatalf("fix on a namespace's snapshot wrote %s", g.file)
	}

	record := filepath.Join(snap, filepath.FromSlash(containers.OriginFile))
	if err := os.WriteFile(record, []byte(`{"inode":1,"host_inode":2,"name":"a\u001b[2J"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runBinary(t, g.bin, "fix", "--proc-root", snap, "--root", g.root); code != exitError || out != "" || !strings.Contains(stderr, record) || strings.Contains(stderr, "\x1b") {
		t.Errorf("forged record: exit %d, want %d naming %s, no escape sequence:\n%s%s", code, exitError, record, out, stderr)
	}
	if err := os.Remove(record); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runBinary(t, g.bin, "fix", "--proc-root", snap, "--root", g.root); code != exitOK || !strings.Contains(out, "save as /etc/sysctl.d/") {
		t.Errorf("snapshot without the record: exit %d, want the drop-in as before:\n%s%s", code, out, stderr)
	}
}

// TestFixSnapshotOfHost: a snapshot of the host's namespace records it as
// the host's, and fix on it offers the drop-in.
func TestFixSnapshotOfHost(t *testing.T) {
	snap := filepath.Join(t.TempDir(), "snap")
	if code, _, stderr := runCLI(t, "snapshot", snap); code != exitOK {
		t.Fatalf("snapshot: exit %d\n%s", code, stderr)
	}
	o, ok, err := containers.ReadOrigin(snap)
	switch {
	case err != nil:
		t.Fatal(err)
	case !ok:
		t.Skip("the namespaces of this process and of PID 1 cannot be read: nothing recorded")
	case !o.Host():
		t.Skipf("this test runs in network namespace net:[%d], not PID 1's", o.Inode)
	}
	if code, out, stderr := runCLI(t, "fix", "--proc-root", snap, "--root", emptyRoot(t)); code != exitOK || strings.Contains(stderr, "not the host's") || (out != "" && !strings.Contains(out, "save as /etc/sysctl.d/")) {
		t.Errorf("fix on the host's snapshot: exit %d:\n%s%s", code, out, stderr)
	}
}

// TestFixNetnsRefusesDiffAndWrite: fix --netns of a namespace that is not
// the host's refuses --diff (against the host's sysctl.d tree) and --write
// (a drop-in there) with exit 2, before anything is printed.
func TestFixNetnsRefusesDiffAndWrite(t *testing.T) {
	g := newGuest(t)
	for _, flag := range [][]string{{"--diff"}, {"--write", g.file}} {
		code, out, errOut := runCLI(t, append([]string{"fix", "--netns", g.ns, "--root", g.root}, flag...)...)
		if code != exitError || out != "" || !strings.Contains(errOut, flag[0]+": refused: network namespace "+g.ns) {
			t.Errorf("fix --netns %s %v: exit %d, want %d, nothing printed and the reason:\n%s%s", g.ns, flag, code, exitError, out, errOut)
		}
	}
	if _, err := os.Stat(g.file); err == nil {
		t.Errorf("fix --netns %s --write wrote %s", g.ns, g.file)
	}
}

// TestFixSnapshotAllNetnsDirectory: each namespace's directory of a
// snapshot --all-netns records its namespace, so fix given that directory
// as its proc root offers no drop-in of the host and refuses --write and
// --diff, as for a snapshot taken inside the namespace.
func TestFixSnapshotAllNetnsDirectory(t *testing.T) {
	g := newGuest(t)
	snap := filepath.Join(t.TempDir(), "snap")
	if code, out, stderr := runBinary(t, g.bin, "snapshot", "--all-netns", snap); code != exitOK {
		t.Fatalf("snapshot --all-netns: exit %d\n%s%s", code, out, stderr)
	}
	st, err := os.Stat("/run/netns/" + g.ns)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(snap, "netns", "net-"+strconv.FormatUint(st.Sys().(*syscall.Stat_t).Ino, 10))
	o, ok, err := containers.ReadOrigin(dir)
	if err != nil || !ok || o.Host() || o.Name != g.ns {
		t.Fatalf("origin of %s: %+v %v %v, want namespace %s, not the host's", dir, o, ok, err, g.ns)
	}
	code, out, stderr := runBinary(t, g.bin, "fix", "--proc-root", dir, "--root", g.root)
	checkGuestFix(t, []string{"fix", "--proc-root", dir}, code, exitOK, out, stderr, g.ns)
	if code, out, stderr := runBinary(t, g.bin, "fix", "--proc-root", dir, "--root", g.root, "--diff"); code != exitError || out != "" {
		t.Errorf("fix --diff on %s: exit %d, want %d and nothing printed:\n%s%s", dir, code, exitError, out, stderr)
	}
	if _, err := os.Stat(g.file); err == nil {
		t.Fatalf("fix on a namespace's directory wrote %s", g.file)
	}
	// The whole snapshot still audits as before.
	if code, _, stderr := runBinary(t, g.bin, "check", "--all-netns", "--proc-root", snap); code != exitFindings && code != exitOK {
		t.Errorf("check --all-netns on the snapshot: exit %d\n%s", code, stderr)
	}
}
