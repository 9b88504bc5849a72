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

	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
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
	root := filepath.Join("testdata", "lint", "bad")
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

// lintReport runs lint --format json --fail-on never with args.
func lintReport(t *testing.T, args ...string) lintJSON {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{"lint", "--format", "json", "--fail-on", "never"}, args...)...)
	if code != exitOK {
		t.Fatalf("lint %v: exit %d\n%s%s", args, code, out, stderr)
	}
	var r lintJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("lint %v: not JSON: %v\n%s", args, err, out)
	}
	return r
}

func TestLintClean(t *testing.T) {
	proc := fakeProcSys(t, "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_fin_timeout")
	code, out, stderr := runCLI(t, "lint", "--proc-root", proc, filepath.Join("testdata", "lint", "good"))
	if code != exitOK {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, stderr)
	}
}

// TestLintFiles: files and directories are read in argument order.
func TestLintFiles(t *testing.T) {
	dir := filepath.Join("testdata", "lint", "bad", "etc", "sysctl.d")
	vendor := filepath.Join("testdata", "lint", "bad", "usr", "lib", "sysctl.d", "10-vendor.conf")
	code, out, _ := runCLI(t, "lint", "--format", "json", "--fail-on", "never", "--proc-root", t.TempDir(), dir, vendor)
	if code != exitOK {
		t.Fatalf("exit %d with --fail-on never", code)
	}
	var r lintJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.Rule == "lint-shadowed" && f.Location.File != filepath.Join(dir, "50-bad.conf") {
			t.Errorf("shadowed line in %s: the vendor file comes last here and wins", f.Location.File)
		}
	}
}

// TestLintLinkedFileOnce: /etc/sysctl.d/99-sysctl.conf and the
// /etc/sysctl.conf it links to are one file, not two that set every key.
func TestLintLinkedFileOnce(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "sysctl.conf")
	if err := os.WriteFile(conf, []byte("net.ipv4.tcp_fin_timeout = 30\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sysctl.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../sysctl.conf", filepath.Join(dir, "sysctl.d", "99-sysctl.conf")); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "lint", "--format", "json", "--fail-on", "info", "--proc-root", fakeProcSys(t, "net.ipv4.tcp_fin_timeout"),
		filepath.Join(dir, "sysctl.d"), conf)
	if code != exitOK {
		t.Errorf("exit %d, want 0 (no finding)\n%s", code, out)
	}
}

func TestLintUsage(t *testing.T) {
	for _, args := range [][]string{{"lint"}, {"lint", "testdata/lint/none"}, {"lint", "--format", "xml", "testdata/lint/good"}} {
		if code, _, _ := runCLI(t, args...); code != exitError {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestLintMissingInterface: a key for an interface this host lacks is
// information, not an unknown key.
func TestLintMissingInterface(t *testing.T) {
	proc := fakeProcSys(t, "net.ipv4.conf.all.rp_filter")
	file := filepath.Join(t.TempDir(), "a.conf")
	if err := os.WriteFile(file, []byte("net.ipv4.conf.eth7.rp_filter = 1\nnet.ipv4.conf.all.rp_filer = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ := runCLI(t, "lint", "--format", "json", "--proc-root", proc, file)
	var r lintJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s %s %d", f.Rule, f.Severity, f.Location.Line))
	}
	if d := cmp.Diff([]string{"lint-unknown-key warning 2", "lint-unknown-key info 1"}, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestLintSARIF: code scanning needs each result's file and line.
func TestLintSARIF(t *testing.T) {
	root := filepath.Join("testdata", "lint", "bad")
	_, out, _ := runCLI(t, "lint", "--format", "sarif", "--proc-root", t.TempDir(), root)
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	validateSARIF(t, out)
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	found := false
	for _, r := range log.Runs[0].Results {
		pl := r.Locations[0].PhysicalLocation
		if r.RuleID == "lint-removed-key" {
			found = pl.ArtifactLocation.URI == "testdata/lint/bad/etc/sysctl.d/50-bad.conf" && pl.Region.StartLine == 2
		}
		if pl.ArtifactLocation.URI == "" {
			t.Errorf("%s: no artifact location", r.RuleID)
		}
	}
	if !found {
		t.Errorf("no lint-removed-key result at testdata/lint/bad/etc/sysctl.d/50-bad.conf:2\n%s", out)
	}
}

// TestBoundsAgreeWithKnowledge: the bounds lint checks come from the same
// reference as the knowledge base of `explain`; they must agree on every key
// both know: removed, global, and the numeric bounds the reference states.
func TestBoundsAgreeWithKnowledge(t *testing.T) {
	n := 0
	for _, k := range rules.Keys() {
		lim, ok := sysctlconf.Known(k.Key)
		if !ok {
			continue
		}
		n++
		if removed := strings.Contains(k.Type, "REMOVED"); removed != (lim.Removed != "") {
			t.Errorf("%s: removed %v in the knowledge base, %q in the bounds table", k.Key, removed, lim.Removed)
		}
		if k.Global() != lim.Global {
			t.Errorf("%s: global %v in the knowledge base, %v in the bounds table", k.Key, k.Global(), lim.Global)
		}
		for _, b := range []struct {
			text string
			val  int64
		}{{k.Min, lim.Min}, {k.Max, lim.Max}} {
			var num int64
			if _, err := fmt.Sscanf(b.text, "%d", &num); err == nil && num != b.val {
				t.Errorf("%s: bound %q in the knowledge base, %d in the bounds table", k.Key, b.text, b.val)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d keys in both tables", n)
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
