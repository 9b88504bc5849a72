package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/report"
)

func TestCheckOutputFile(t *testing.T) {
	host := filepath.Join(hostsDir, "close-wait-leak")
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "report")
			code, stdout, stderr := runCLI(t, "check", "--proc-root", host, "--format", format, "--output", out)
			if code != exitFindings {
				t.Fatalf("exit %d, want 1 (a CLOSE_WAIT finding): %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty with --output: %q", stdout)
			}
			b, err := os.ReadFile(out)
			if err != nil || len(b) == 0 {
				t.Fatalf("report file: %v (%d bytes)", err, len(b))
			}
			if format == "json" || format == "sarif" {
				var v any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Errorf("--format %s wrote invalid JSON: %v", format, err)
				}
			}
			if strings.Contains(string(b), "\x1b[") {
				t.Error("report file holds ANSI colour codes")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only the report (no temporary file left)", len(entries))
			}
		})
	}
}

func TestCheckOutputUnwritable(t *testing.T) {
	code, _, stderr := runCLI(t, "check", "--proc-root", filepath.Join(hostsDir, "healthy"), "--output", "/nonexistent/dir/report.json")
	if code != exitError || !strings.Contains(stderr, "/nonexistent/dir/report.json") {
		t.Errorf("exit %d, stderr %q; want 2 naming the file", code, stderr)
	}
}

func TestCheckUnknownFormat(t *testing.T) {
	code, _, stderr := runCLI(t, "check", "--proc-root", filepath.Join(hostsDir, "healthy"), "--format", "yaml")
	if code != exitError || !strings.Contains(stderr, strings.Join(report.Formats, ", ")) {
		t.Errorf("exit %d, stderr %q; want 2 listing the formats", code, stderr)
	}
}
