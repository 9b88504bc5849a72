package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites the golden files of every test in this package that has
// them: go test ./cmd/tcpaudit -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

func TestCheckGolden(t *testing.T) {
	for _, tc := range hostCases {
		root := filepath.Join(hostsDir, tc.host)
		t.Run(tc.host+"/text", func(t *testing.T) {
			_, out, _ := runCLI(t, "check", "--no-color", "--proc-root", root)
			golden(t, tc.host+".txt", out, func(want, got []byte) string { return cmp.Diff(string(want), string(got)) })
		})
		t.Run(tc.host+"/json", func(t *testing.T) {
			_, out, _ := runCLI(t, "check", "--format", "json", "--proc-root", root)
			golden(t, tc.host+".json", out, diffJSON)
		})
	}
}

// golden compares got with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name, got string, diff func(want, got []byte) string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := writeFileAtomic(path, []byte(got)); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/tcpaudit -update to create it)", err)
	}
	if d := diff(want, []byte(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}

// diffJSON compares two JSON documents by meaning.
func diffJSON(want, got []byte) string {
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		return "golden file is not JSON: " + err.Error()
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return "output is not JSON: " + err.Error()
	}
	return cmp.Diff(w, g)
}

func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".golden-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
