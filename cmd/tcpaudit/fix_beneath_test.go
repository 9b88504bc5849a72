package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixWriteRefusesSymlinkedParent: a directory of the --write path
// below --root that is a symlink (etc, or etc/sysctl.d) is refused, exit 2
// naming the file, and nothing is written where it points; a --write path
// outside --root is refused too.
func TestFixWriteRefusesSymlinkedParent(t *testing.T) {
	for _, linked := range []string{"etc", "etc/sysctl.d"} {
		t.Run(linked, func(t *testing.T) {
			root := t.TempDir()
			outside := t.TempDir()
			if err := os.MkdirAll(filepath.Join(outside, "sysctl.d"), 0o755); err != nil {
				t.Fatal(err)
			}
			target := outside
			if linked == "etc/sysctl.d" {
				target = filepath.Join(outside, "sysctl.d")
				if err := os.Mkdir(filepath.Join(root, "etc"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(target, filepath.Join(root, linked)); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(root, "etc", "sysctl.d", "99-tcpaudit.conf")
			code, _, stderr := runCLI(t, "fix", "--proc-root", fixHost, "--root", root, "--write", file)
			if code != exitError || !strings.Contains(stderr, file) {
				t.Errorf("exit %d, stderr %q: want 2 naming %s", code, stderr, file)
			}
			if entries, _ := os.ReadDir(filepath.Join(outside, "sysctl.d")); len(entries) > 0 {
				t.Errorf("written through the symlink: %v", entries)
			}
		})
	}
	root := emptyRoot(t)
	file := filepath.Join(t.TempDir(), "99-tcpaudit.conf")
	code, _, stderr := runCLI(t, "fix", "--proc-root", fixHost, "--root", root, "--write", file)
	if _, err := os.Lstat(file); code != exitError || err == nil || !strings.Contains(stderr, "not under") {
		t.Errorf("--write outside --root: exit %d, stderr %q, written: %v", code, stderr, err == nil)
	}
}

// TestFixWriteOutsideRootNamesFile: a --write file outside --root, named
// relative to the working directory or absolute, is refused with the name
// of that file inside the root as the suggestion, not its directory's.
func TestFixWriteOutsideRootNamesFile(t *testing.T) {
	root := emptyRoot(t)
	host, err := filepath.Abs(fixHost)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	outside := filepath.Join(t.TempDir(), "outside.conf")
	for _, file := range []string{"etc/sysctl.d/91-rel.conf", outside} {
		code, _, stderr := runCLI(t, "fix", "--proc-root", host, "--root", root, "--write", file)
		want := "name the file with the root: " + filepath.Join(root, file) + ")"
		if code != exitError || !strings.Contains(stderr, file+" is not under "+root) || !strings.Contains(stderr, want) {
			t.Errorf("--write %s: exit %d, stderr %q; want 2 and %q", file, code, stderr, want)
		}
	}
}
