package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/containers"
	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestFixSnapshotOfNamespace: a snapshot taken under `ip netns exec` in a
// namespace made by the test records that namespace; fix on it offers no
// drop-in of the host (it says why, points to --netns and prints the ip
// netns form), refuses --write and --diff before printing anything.
// Without the record (a snapshot taken before it existed) fix offers the
// drop-in as it always did; a forged record is an error naming the file.
func TestFixSnapshotOfNamespace(t *testing.T) {
	ip := netnsPrereqs(t)
	bin := buildBinary(t, t.TempDir())
	ns := nstest.New(t)
	for _, b := range netnsBad[:2] {
		nsRun(t, ip, ns, "sysctl", "-w", b.key+"="+b.value)
	}
	snap := filepath.Join(t.TempDir(), "snap")
	if code, out, stderr := runBinary(t, ip, "netns", "exec", ns, bin, "snapshot", snap); code != exitOK {
		t.Fatalf("snapshot in %s: exit %d\n%s%s", ns, code, out, stderr)
	}
	o, ok, err := containers.ReadOrigin(snap)
	if err != nil || !ok || o.Host() || o.Name != ns {
		t.Fatalf("origin of the snapshot: %+v %v %v, want namespace %s, not the host's", o, ok, err, ns)
	}
	root := emptyRoot(t)
	file := filepath.Join(root, "etc", "sysctl.d", "90-tcpaudit.conf")
	code, out, stderr := runBinary(t, bin, "fix", "--proc-root", snap, "--root", root)
	checkGuestFix(t, []string{"fix", "--proc-root", snap}, code, exitOK, out, stderr, ns)
	if !strings.Contains(stderr, "snapshot was taken in network namespace") || !strings.Contains(stderr, "--netns") {
		t.Errorf("fix on the snapshot: no pointer to --netns:\n%s", stderr)
	}
	for _, flag := range [][]string{{"--write", file}, {"--diff"}} {
		args := append([]string{bin, "fix", "--proc-root", snap, "--root", root}, flag...)
		code, out, stderr := runBinary(t, args...)
		if code != exitError || out != "" || !strings.Contains(stderr, flag[0]+": refused: the snapshot was taken in network namespace") {
			t.Errorf("%v: exit %d, want %d, nothing printed and the reason:\n%s%s", flag, code, exitError, out, stderr)
		}
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatalf("fix on a namespace's snapshot wrote %s", file)
	}

	record := filepath.Join(snap, filepath.FromSlash(containers.OriginFile))
	if err := os.WriteFile(record, []byte(`{"inode":1,"host_inode":2,"name":"a\u001b[2J"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runBinary(t, bin, "fix", "--proc-root", snap, "--root", root); code != exitError || out != "" || !strings.Contains(stderr, record) || strings.Contains(stderr, "\x1b") {
		t.Errorf("forged record: exit %d, want %d naming %s, no escape sequence:\n%s%s", code, exitError, record, out, stderr)
	}
	if err := os.Remove(record); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runBinary(t, bin, "fix", "--proc-root", snap, "--root", root); code != exitOK || !strings.Contains(out, "save as /etc/sysctl.d/") {
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
