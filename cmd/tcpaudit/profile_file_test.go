package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileFileByName runs check with a user profile given by
// --profile-file and chosen by the name it declares: it tightens
// fin-timeout so that the healthy host (tcp_fin_timeout 60) fails.
func TestProfileFileByName(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "strict.yaml")
	writeProfileFile(t, good, "name: strict-servers\nextends: web-server\nrules:\n  fin-timeout:\n    params: {max: 15}\n")
	bad := filepath.Join(dir, "bad.yaml")
	writeProfileFile(t, bad, "name: bad\nextends: baseline\nrules:\n  fin-timeout:\n    params: {max: fifteen}\n")
	host := filepath.Join("..", "..", "testdata", "hosts", "healthy")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring of stdout
		stderr string // substring of stderr
	}{
		{"baseline passes", []string{"--profile", "baseline"}, exitOK, "", ""},
		{"user profile fails", []string{"--profile-file", good, "--profile", "strict-servers"}, exitFindings, "fin-timeout", ""},
		{"combined with a built-in", []string{"--profile-file", good, "--profile", "baseline,strict-servers"}, exitFindings, "fin-timeout", ""},
		{"name not the file name", []string{"--profile-file", good, "--profile", "strict"}, exitError, "", `unknown profile "strict"`},
		{"bad parameter type", []string{"--profile-file", bad, "--profile", "bad"}, exitError, "", "line 5"},
		{"missing file", []string{"--profile-file", filepath.Join(dir, "none.yaml")}, exitError, "", "none.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"check", "--no-color", "--proc-root", host}, tt.args...)
			code := run(context.Background(), args, &out, &errb)
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("exit %d, want %d (stdout should hold %q, stderr %q)\nstdout:\n%s\nstderr:\n%s",
					code, tt.code, tt.stdout, tt.stderr, out.String(), errb.String())
			}
		})
	}
}

func writeProfileFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
