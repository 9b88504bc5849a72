//go:build unix

package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/tcpaudit/tcpaudit/profiles"
)

// TestUnreadableFileFinding: a *.conf that cannot be read (a FIFO, a
// symlink loop) gets a lint-syntax finding of its own: a title naming the
// cause without the path, observed naming the file as location does, and an
// expected and a why about the file rather than about a line. Whether the
// tree is read as a root or as a directory of files.
func TestUnreadableFileFinding(t *testing.T) {
	root := writeTree(t, map[string]string{"etc/sysctl.d/10-ok.conf": "net.ipv4.tcp_syncookies = 1\n"})
	d := filepath.Join(root, "etc", "sysctl.d")
	if err := unix.Mkfifo(filepath.Join(d, "30-fifo.conf"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("40-loop.conf", filepath.Join(d, "40-loop.conf")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"30-fifo.conf": "not a regular file (a FIFO)", "40-loop.conf": "too many levels of symbolic links"}
	for _, arg := range []string{root, d} {
		tree, err := Load([]string{arg})
		if tree.Config == nil {
			t.Fatalf("load %s: %v", arg, err)
		}
		res := Run(tree, Options{Profile: profile(t, profiles.Default), ProcRoot: procSys(t, "net.ipv4.tcp_syncookies")})
		seen := 0
		for _, f := range res.Findings {
			cause, ok := want[filepath.Base(f.Location.File)]
			if !ok {
				continue
			}
			seen++
			if f.Rule != "lint-syntax" || f.Title != "cannot open: "+cause {
				t.Errorf("lint %s: %s %q, want lint-syntax %q", arg, f.Rule, f.Title, "cannot open: "+cause)
			}
			if f.Observed != f.Location.File || !filepath.IsAbs(f.Observed) {
				t.Errorf("lint %s: observed %q, location %q: want the same path, as the user can open it", arg, f.Observed, f.Location.File)
			}
			if strings.Contains(f.Expected, "line") || strings.Contains(f.Explanation, "inline comments") ||
				!strings.Contains(f.Explanation, "cannot be read") || !strings.Contains(f.Explanation, "FIFO") {
				t.Errorf("lint %s: %s: expected %q, why %q: want text about an unreadable file", arg, f.Location.File, f.Expected, f.Explanation)
			}
		}
		if seen != len(want) {
			t.Errorf("lint %s: %d findings for unreadable files, want %d: %v", arg, seen, len(want), summary(t, res, root))
		}
	}
}
