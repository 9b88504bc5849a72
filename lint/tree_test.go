package lint

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadArgumentOrder: files and directories are read in argument order,
// so a file named last wins over a directory named before it.
func TestLoadArgumentOrder(t *testing.T) {
	dir := writeTree(t, map[string]string{"d/50-local.conf": "net.ipv4.tcp_syn_retries = 6\n",
		"10-vendor.conf": "net.ipv4.tcp_syn_retries = 5\n"})
	res := lintPaths(t, procSys(t, "net.ipv4.tcp_syn_retries"), filepath.Join(dir, "d"), filepath.Join(dir, "10-vendor.conf"))
	want := []string{"lint-shadowed info d/50-local.conf:1"}
	if d := cmp.Diff(want, summary(t, res, dir)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestLoadLinkedFileOnce: /etc/sysctl.d/99-sysctl.conf and the
// /etc/sysctl.conf it links to are one file, not two that set every key.
func TestLoadLinkedFileOnce(t *testing.T) {
	dir := writeTree(t, map[string]string{"sysctl.conf": "net.ipv4.tcp_fin_timeout = 30\n", "sysctl.d/.keep": ""})
	if err := os.Symlink("../sysctl.conf", filepath.Join(dir, "sysctl.d", "99-sysctl.conf")); err != nil {
		t.Fatal(err)
	}
	res := lintPaths(t, procSys(t, "net.ipv4.tcp_fin_timeout"), filepath.Join(dir, "sysctl.d"), filepath.Join(dir, "sysctl.conf"))
	if got := summary(t, res, dir); len(got) != 0 {
		t.Errorf("findings %v, want none", got)
	}
	if want := []string{"read " + filepath.Join(dir, "sysctl.d", "99-sysctl.conf")}; !cmp.Equal(want, res.Notes) {
		t.Errorf("notes %q, want %q", res.Notes, want)
	}
}

// TestLoadDirectoryWithSubdirectory: a directory named x.conf inside a
// directory argument is reported (systemd-sysctl fails to read it), and the
// other files are still linted.
func TestLoadDirectoryWithSubdirectory(t *testing.T) {
	dir := writeTree(t, map[string]string{"20-dir.conf/.keep": "", "10-a.conf": "net.ipv4.tcp_tw_recycle = 0\n",
		".hidden.conf": "net.ipv4.tcp_no_such_key = 1\n"})
	got := summary(t, lintPaths(t, procSys(t), dir), dir)
	want := []string{"lint-syntax critical 20-dir.conf:0", "lint-removed-key warning 10-a.conf:1"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestLoadRoot: a single directory holding etc/ is a root; file names are
// resolved in it and reported as paths on this host.
func TestLoadRoot(t *testing.T) {
	root := writeTree(t, map[string]string{"etc/sysctl.d/50-a.conf": "net.ipv4.tcp_syn_retries = 6\n",
		"usr/lib/sysctl.d/50-a.conf": "net.ipv4.tcp_syn_retries = 300\n"})
	tree, err := Load([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	if tree.Root != root {
		t.Errorf("root %q, want %q", tree.Root, root)
	}
	res := lintPaths(t, procSys(t, "net.ipv4.tcp_syn_retries"), root)
	if got := summary(t, res, root); len(got) != 0 {
		t.Errorf("findings %v: /etc/sysctl.d/50-a.conf masks the /usr/lib file of the same name", got)
	}
	if want := []string{"read " + filepath.Join(root, "etc/sysctl.d/50-a.conf")}; !cmp.Equal(want, res.Notes) {
		t.Errorf("notes %q, want %q", res.Notes, want)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load([]string{filepath.Join(t.TempDir(), "none")})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v, want fs.ErrNotExist", err)
	}
}
