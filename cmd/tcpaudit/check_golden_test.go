package main

import (
	"flag"
	"path/filepath"
	"testing"

	goldenfile "github.com/tcpaudit/tcpaudit/internal/golden"
)

// update rewrites the golden files of every test in this package that has
// them: go test ./cmd/tcpaudit -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

func TestCheckGolden(t *testing.T) {
	for _, tc := range hostCases {
		root := filepath.Join(hostsDir, tc.host)
		t.Run(tc.host+"/text", func(t *testing.T) {
			_, out, _ := runCLI(t, "check", "--no-color", "--proc-root", root)
			golden(t, tc.host+".txt", out, goldenfile.Text)
		})
		t.Run(tc.host+"/json", func(t *testing.T) {
			_, out, _ := runCLI(t, "check", "--format", "json", "--proc-root", root)
			golden(t, tc.host+".json", out, goldenfile.JSON)
		})
	}
}

// golden compares got with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name, got string, diff func(want, got []byte) string) {
	t.Helper()
	goldenfile.Compare(t, filepath.Join("testdata", "golden", name), []byte(got), *update, diff)
}
