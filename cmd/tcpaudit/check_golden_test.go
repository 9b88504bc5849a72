package main

import (
	"path/filepath"
	"testing"

	goldenfile "github.com/tcpaudit/tcpaudit/internal/golden"
)

func TestCheckGolden(t *testing.T) {
	for _, tc := range hostCases {
		root := filepath.Join(hostsDir, tc.host)
		t.Run(tc.host+"/text", func(t *testing.T) {
			_, out, _ := runCLI(t, "check", "--no-color", "--proc-root", root)
			golden(t, filepath.Join("golden", tc.host+".txt"), out, goldenfile.Text)
		})
		t.Run(tc.host+"/json", func(t *testing.T) {
			_, out, _ := runCLI(t, "check", "--format", "json", "--proc-root", root)
			golden(t, filepath.Join("golden", tc.host+".json"), out, goldenfile.JSON)
		})
	}
}
