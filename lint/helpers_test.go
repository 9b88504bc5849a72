package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// writeTree writes files (a path under the directory → its content) into a
// new temporary directory and returns the directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// procSys writes a proc root whose sys/ holds only the given keys.
func procSys(t *testing.T, keys ...string) string {
	t.Helper()
	files := map[string]string{"sys/.keep": ""}
	for _, k := range keys {
		files[filepath.Join("sys", strings.ReplaceAll(k, ".", "/"))] = "0\n"
	}
	return writeTree(t, files)
}

// profile resolves a built-in profile.
func profile(t *testing.T, name string) rules.Config {
	t.Helper()
	cfg, err := profiles.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// lintPaths loads paths and runs every check with the default profile and
// procRoot.
func lintPaths(t *testing.T, procRoot string, paths ...string) rules.Result {
	t.Helper()
	tree, err := Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	return Run(tree, Options{Profile: profile(t, profiles.Default), ProcRoot: procRoot})
}

// summary lists the findings as "rule severity file:line", file relative to
// base.
func summary(t *testing.T, res rules.Result, base string) []string {
	t.Helper()
	var out []string
	for _, f := range res.Findings {
		rel, err := filepath.Rel(base, f.Location.File)
		if err != nil || base == "" {
			rel = f.Location.File
		}
		out = append(out, fmt.Sprintf("%s %s %s:%d", f.Rule, f.Severity, rel, f.Location.Line))
	}
	return out
}
