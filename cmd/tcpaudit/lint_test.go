package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fakeProcSys writes a proc root whose sys/ holds only the given keys.
func fakeProcSys(t *testing.T, keys ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, k := range keys {
		p := filepath.Join(root, "sys", strings.ReplaceAll(k, ".", "/"))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

type lintJSON struct {
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Location *struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"location"`
	} `json:"findings"`
}

func TestLintFindings(t *testing.T) {
	proc := fakeProcSys(t, "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_keepalive_probes", "vm.swappiness")
	root := filepath.Join("..", "..", "testdata", "lint", "bad")
	code, out, stderr := runCLI(t, "lint", "--format", "json", "--proc-root", proc, root)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var r lintJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s %s:%d", f.Rule, strings.TrimPrefix(f.Location.File, root), f.Location.Line))
	}
	sort.Strings(got)
	bad := "/etc/sysctl.d/50-bad.conf"
	want := []string{
		"lint-out-of-bounds " + bad + ":3",
		"lint-procps-systemd-difference " + bad + ":8",
		"lint-procps-systemd-difference /etc/sysctl.conf:1",
		"lint-profile-conflict " + bad + ":4",
		"lint-removed-key " + bad + ":2",
		"lint-shadowed /usr/lib/sysctl.d/10-vendor.conf:1",
		"lint-syntax " + bad + ":6",
		"lint-syntax " + bad + ":7",
		"lint-unknown-key " + bad + ":5",
	}
	sort.Strings(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
}

func TestLintClean(t *testing.T) {
	proc := fakeProcSys(t, "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_fin_timeout")
	code, out, stderr := runCLI(t, "lint", "--proc-root", proc, filepath.Join("..", "..", "testdata", "lint", "good"))
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, stderr)
	}
}

func TestLintUsage(t *testing.T) {
	for _, args := range [][]string{{"lint", "../../testdata/lint/none"}, {"lint", "--format", "xml", "../../testdata/lint/good"}} {
		if code, _, _ := runCLI(t, args...); code != exitError {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestLintDefaultTree: without a path lint reads the tree under /, the
// one this host applies at boot, and names the files it read.
func TestLintDefaultTree(t *testing.T) {
	if _, err := os.Stat("/etc/sysctl.d"); err != nil {
		t.Skip("needs /etc/sysctl.d on this host")
	}
	code, out, stderr := runCLI(t, "lint", "--no-color")
	if code == exitError || !strings.Contains(out, "/etc/sysctl.d") {
		t.Errorf("lint without a path: exit %d, stderr %q; want the files under /etc/sysctl.d named:\n%s", code, stderr, out)
	}
}

// TestLintOutputFile: --output writes the same report as stdout would,
// through a temporary file, and leaves stdout empty.
func TestLintOutputFile(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "lint", "bad")
	args := []string{"lint", "--format", "sarif", "--proc-root", t.TempDir(), root}
	codeStdout, want, _ := runCLI(t, args...)
	dir := t.TempDir()
	file := filepath.Join(dir, "lint.sarif")
	code, stdout, stderr := runCLI(t, append(args, "--output", file)...)
	if code != codeStdout || stdout != "" {
		t.Fatalf("exit %d (stdout run %d), stdout %q: %s", code, codeStdout, stdout, stderr)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, string(got)); d != "" {
		t.Errorf("--output differs from stdout (-stdout +file):\n%s", d)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the directory, want only the report", len(entries))
	}
}

// validateSARIF checks a document against the SARIF 2.1.0 schema the report
// package keeps.
func validateSARIF(t *testing.T, out string) {
	t.Helper()
	const file = "../../report/testdata/schemas/sarif-schema-2.1.0.json"
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("no SARIF schema: %v", err)
	}
	schema, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", schema); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("lint SARIF does not match the SARIF 2.1.0 schema: %v", err)
	}
}

// TestLintNothingToRead: a directory the user names that holds no
// configuration (no *.conf, or a root whose sysctl.d directories are
// empty) is an error, exit 2, never a pass a gate would take.
func TestLintNothingToRead(t *testing.T) {
	empty := t.TempDir()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc", "sysctl.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{empty, root} {
		code, out, stderr := runCLI(t, "lint", "--fail-on", "never", dir)
		if code != exitError || !strings.Contains(stderr, "no sysctl configuration in "+dir) || strings.Contains(out, "OK") {
			t.Errorf("lint %s: exit %d, want %d naming the directory\n%s%s", dir, code, exitError, out, stderr)
		}
	}
}
