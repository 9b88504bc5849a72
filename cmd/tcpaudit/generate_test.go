package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, stderr := runCLI(t, "completion", shell)
		if code != exitOK || !strings.Contains(out, "tcpaudit") {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, code, len(out), stderr)
		}
	}
	if code, _, _ := runCLI(t, "completion", "powershell-7"); code != exitError {
		t.Errorf("completion of an unknown shell: exit %d, want 2", code)
	}
}

// TestBashCompletionLoads sources the script in a real bash and checks that
// it registers a completion for tcpaudit.
func TestBashCompletionLoads(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	_, out, _ := runCLI(t, "completion", "bash")
	script := filepath.Join(t.TempDir(), "tcpaudit.bash")
	if err := os.WriteFile(script, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(bash, "-c", "source "+script+" && complete -p tcpaudit").CombinedOutput()
	if err != nil || !strings.Contains(string(got), "tcpaudit") {
		t.Errorf("bash did not register the completion: %v\n%s", err, got)
	}
}

func TestManPages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man1")
	if code, _, stderr := runCLI(t, "man", dir); code != exitOK {
		t.Fatalf("man: exit %d: %s", code, stderr)
	}
	for _, page := range []string{"tcpaudit.1", "tcpaudit-check.1", "tcpaudit-serve.1", "tcpaudit-snapshot.1"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Errorf("%s: %v", page, err)
			continue
		}
		if !strings.HasPrefix(string(b), ".nh\n.TH \"TCPAUDIT\" \"1\"") && !strings.Contains(string(b), ".TH \"TCPAUDIT\"") {
			t.Errorf("%s has no .TH header:\n%.200s", page, b)
		}
	}
	check, _ := os.ReadFile(filepath.Join(dir, "tcpaudit-check.1"))
	if !strings.Contains(string(check), `fail\-on`) {
		t.Error("tcpaudit-check.1 does not document --fail-on")
	}
	manPagesRender(t, dir)
	if left, _ := filepath.Glob(filepath.Join(dir, ".man-*")); len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
	if man, err := exec.LookPath("man"); err == nil {
		cmd := exec.Command(man, "-l", filepath.Join(dir, "tcpaudit-check.1"))
		cmd.Env = append(os.Environ(), "MANPAGER=cat", "PAGER=cat", "MANWIDTH=80")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "check") {
			t.Errorf("man -l tcpaudit-check.1: %v\n%s", err, out)
		}
	}
}

// TestFormatCompletion asks cobra's completion entry point, as the shell
// scripts do, for the values of check --format.
func TestFormatCompletion(t *testing.T) {
	code, out, _ := runCLI(t, "__complete", "check", "--format", "")
	if code != exitOK {
		t.Fatalf("__complete: exit %d", code)
	}
	for _, f := range []string{"text", "json", "junit", "sarif", "prometheus", "markdown"} {
		if !strings.Contains(out, f+"\n") {
			t.Errorf("--format completion lacks %s:\n%s", f, out)
		}
	}
}

// manPagesRender renders every page with groff, every warning on: none
// may warn (a line taken for a request, a character roff cannot read),
// and the check page must show --fail-on as typed.
func manPagesRender(t *testing.T, dir string) {
	t.Helper()
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Logf("groff not installed (package groff-base): pages not rendered")
		return
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	if len(pages) < 15 {
		t.Fatalf("%d pages, want one a command", len(pages))
	}
	for _, page := range pages {
		cmd := exec.Command(groff, "-ww", "-man", "-Tutf8", page)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 {
			t.Errorf("groff %s: %v\n%s", filepath.Base(page), err, stderr.String())
		}
		if filepath.Base(page) == "tcpaudit-check.1" && !strings.Contains(string(out), "--fail-on") {
			t.Errorf("rendered tcpaudit-check.1 does not show --fail-on:\n%.600s", out)
		}
	}
}
