package audit_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tcpaudit/tcpaudit/audit"
)

// ignoreMethod leaves out how the processes were read and in how many
// passes.
var ignoreMethod = cmpopts.IgnoreFields(audit.Attribution{}, "Method", "Batches")

func inodes(ns ...uint64) map[uint64]struct{} {
	m := make(map[uint64]struct{}, len(ns))
	for _, n := range ns {
		m[n] = struct{}{}
	}
	return m
}

// TestAttribute joins wanted inodes with the fd symlinks of
// testdata/attribute: pid 100 and 200 share socket 1001 after a fork, pid
// 300 has no comm file, pid 0 and non-numeric entries ("self", "sys") are
// not processes, and malformed link targets are ignored. The shared socket
// counts once, for pid 100, which lists pid 200 as another holder.
func TestAttribute(t *testing.T) {
	got, err := newFS(t, "testdata/attribute").Owners(inodes(1001, 1002, 1003, 1004, 1005, 1006))
	if err != nil {
		t.Fatal(err)
	}
	want := audit.Attribution{
		Owners: []audit.Owner{
			{PID: 100, Command: "nginx", Sockets: 2, Holders: []int{200}},
			{PID: 200, Command: "python3", Sockets: 1},
			{PID: 300, Command: "?", Sockets: 1},
		},
		Unattributed: 2, // 1005 is held only by "pid" 0; 1006 by nobody
		Root:         os.Geteuid() == 0,
		Holders: map[uint64]audit.Holder{
			1001: {PID: 100, Command: "nginx", Others: []int{200}},
			1002: {PID: 100, Command: "nginx"},
			1003: {PID: 200, Command: "python3"},
			1004: {PID: 300, Command: "?"},
		},
	}
	if d := cmp.Diff(want, got, ignoreMethod); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestAttributeNothingWanted returns at once, even for a root removed
// since; with something wanted the removed root is an error.
func TestAttributeNothingWanted(t *testing.T) {
	dir := t.TempDir()
	fsys := newFS(t, dir)
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	got, err := fsys.Owners(nil)
	if err != nil || len(got.Owners) != 0 || got.Unattributed != 0 {
		t.Errorf("Owners(nothing) = %+v, %v", got, err)
	}
	if _, err := fsys.Owners(inodes(1)); err == nil {
		t.Error("Owners on a removed root: want an error")
	}
}

// asNobodyEnv marks the test binary re-run without root privileges.
const asNobodyEnv = "TCPAUDIT_TEST_AS_NOBODY"

// TestAttributeUnreadable checks that a process whose fd directory cannot
// be read is counted, not fatal. Root reads every directory, so as root the
// test re-runs itself as nobody (setpriv or runuser).
func TestAttributeUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		if os.Getenv(asNobodyEnv) != "" {
			t.Fatal("still root after dropping privileges")
		}
		runAsNobody(t, "TestAttributeUnreadable")
		return
	}
	root := t.TempDir()
	writeProcess(t, root, "10", "app", "socket:[1]")
	writeProcess(t, root, "11", "secret", "socket:[2]")
	fd := filepath.Join(root, "11", "fd")
	if err := os.Chmod(fd, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(fd, 0o755) })
	got, err := newFS(t, root).Owners(inodes(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	want := audit.Attribution{Owners: []audit.Owner{{PID: 10, Command: "app", Sockets: 1}}, Unattributed: 1, Unreadable: 1, Root: os.Geteuid() == 0,
		Holders: map[uint64]audit.Holder{1: {PID: 10, Command: "app"}}}
	if d := cmp.Diff(want, got, ignoreMethod); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// writeProcess creates <root>/<pid>/comm and fd/3 -> target.
func writeProcess(t *testing.T, root, pid, comm, target string) {
	t.Helper()
	dir := filepath.Join(root, pid)
	if err := os.MkdirAll(filepath.Join(dir, "fd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "comm"), []byte(comm+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "fd", "3")); err != nil {
		t.Fatal(err)
	}
}

// runAsNobody re-runs one test of this binary as user nobody. The binary is
// copied to a directory nobody can read, with a temp dir nobody can write.
func runAsNobody(t *testing.T, test string) {
	t.Helper()
	var drop []string
	if p, err := exec.LookPath("setpriv"); err == nil {
		drop = []string{p, "--reuid=65534", "--regid=65534", "--clear-groups", "--"}
	} else if p, err := exec.LookPath("runuser"); err == nil {
		drop = []string{p, "-u", "nobody", "--"}
	} else {
		t.Skip("running as root and neither setpriv nor runuser (util-linux) is installed to drop privileges")
	}
	dir, err := os.MkdirTemp("", "tcpaudit-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	tmp := filepath.Join(dir, "tmp")
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tmp, 0o777); err != nil || os.Chmod(tmp, 0o1777) != nil {
		t.Fatalf("make temp dir for nobody: %v", err)
	}
	bin := filepath.Join(dir, "audit.test")
	copyExecutable(t, os.Args[0], bin)
	cmd := exec.Command(drop[0], append(drop[1:], bin, "-test.run", "^"+test+"$", "-test.v", "-test.count=1")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), asNobodyEnv+"=1", "TMPDIR="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("%s as nobody: %v\n%s", test, err, out)
	}
	t.Logf("as nobody:\n%s", out)
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
