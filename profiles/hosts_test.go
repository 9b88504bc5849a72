package profiles_test

import (
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
