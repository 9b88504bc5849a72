package profiles_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// hostsDir holds the fixture proc trees.
const hostsDir = "../testdata/hosts"

// fixtureHosts lists the fixture hosts' proc roots.
func fixtureHosts(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(hostsDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		root := filepath.Join(hostsDir, e.Name())
		if _, err := os.Stat(filepath.Join(root, "sys")); err == nil {
			out = append(out, root)
		}
	}
	if len(out) < 5 {
		t.Fatalf("only %d fixture hosts under %s", len(out), hostsDir)
	}
	return out
}

// copyTree copies a fixture tree, symlinks included, into a temporary
// directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
