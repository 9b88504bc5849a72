package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const treesDir = "../../sysctlconf/testdata/trees"

// TestConfShowJSON checks the documented JSON shape field by field.
func TestConfShowJSON(t *testing.T) {
	code, out, stderr := runCLI(t, "conf", "show", "--format", "json", "--root", filepath.Join(treesDir, "merge"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	type entry struct {
		Key           string `json:"key"`
		Value         string `json:"value"`
		File          string `json:"file"`
		Line          int    `json:"line"`
		IgnoreFailure bool   `json:"ignore_failure"`
	}
	type excluded struct {
		Key  string `json:"key"`
		File string `json:"file"`
		Line int    `json:"line"`
	}
	type diagnostic struct {
		File     string `json:"file"`
		Line     int    `json:"line"`
		Severity string `json:"severity"`
		Message  string `json:"message"`
	}
	var got struct {
		Entries     []entry      `json:"entries"`
		Excluded    []excluded   `json:"excluded"`
		Diagnostics []diagnostic `json:"diagnostics"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("not the documented JSON: %v\n%s", err, out)
	}
	wantEntries := []entry{
		{"net.ipv4.tcp_keepalive_probes", "7", "/usr/lib/sysctl.d/10-vendor.conf", 4, true},
		{"net.ipv4.conf.lo.rp_filter", "2", "/etc/sysctl.d/20-local.conf", 1, false},
		{"net.ipv4.tcp_fin_timeout", "25", "/etc/sysctl.d/30-more.conf", 2, false},
		{"net.ipv4.conf.*.rp_filter", "1", "/etc/sysctl.d/30-more.conf", 4, false},
	}
	if d := cmp.Diff(wantEntries, got.Entries); d != "" {
		t.Errorf("entries (-want +got):\n%s", d)
	}
	wantExcluded := []excluded{
		{"net.ipv4.tcp_syn_retries", "/etc/sysctl.d/20-local.conf", 2},
		{"net.ipv4.conf.default*.rp_filter", "/etc/sysctl.d/20-local.conf", 3},
		{"net.ipv4.conf.all.rp_filter", "/etc/sysctl.d/20-local.conf", 4},
	}
	if d := cmp.Diff(wantExcluded, got.Excluded); d != "" {
		t.Errorf("excluded (-want +got):\n%s", d)
	}
	if len(got.Diagnostics) != 2 || got.Diagnostics[0].Severity != "warning" || got.Diagnostics[0].Line != 3 {
		t.Errorf("diagnostics %+v, want the glob exclusion and the cancelling exclusion", got.Diagnostics)
	}
}

// TestConfShowSymlinkPath: a file is named as seen from the root, symlinks
// not resolved; empty arrays are arrays.
func TestConfShowSymlinkPath(t *testing.T) {
	_, out, _ := runCLI(t, "conf", "show", "--format", "json", "--root", filepath.Join(treesDir, "legacy"))
	if !strings.Contains(out, `"file": "/etc/sysctl.d/99-sysctl.conf"`) || !strings.Contains(out, `"excluded": []`) {
		t.Errorf("want 99-sysctl.conf named as is and an empty excluded array:\n%s", out)
	}
	code, text, _ := runCLI(t, "conf", "show", "--root", filepath.Join(treesDir, "legacy"))
	if code != exitOK || !strings.Contains(text, "net.ipv4.tcp_fin_timeout  25     /etc/sysctl.d/99-sysctl.conf:1") {
		t.Errorf("text output:\n%s", text)
	}
}

func TestConfShowErrors(t *testing.T) {
	for _, args := range [][]string{{"conf", "show", "--root", "testdata/none"}, {"conf", "show", "--format", "xml"}} {
		if code, _, _ := runCLI(t, args...); code != exitError {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestCheckDrift: check compares the runtime values with the tree given by
// --sysctl-root and names the winning file and line.
func TestCheckDrift(t *testing.T) {
	host := filepath.Join(hostsDir, "misconfigured")
	_, r := checkJSON(t, "--proc-root", host, "--sysctl-root", "../../rules/testdata/runtime-config-drift/misconfigured")
	var where []string
	for _, f := range r.findings("runtime-config-drift") {
		where = append(where, fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line))
	}
	if d := cmp.Diff([]string{"/etc/sysctl.d/60-tuning.conf:2"}, where); d != "" {
		t.Errorf("drift findings (-want +got):\n%s", d)
	}
	if code, _, _ := runCLI(t, "check", "--proc-root", host, "--sysctl-root", "testdata/none"); code != exitError {
		t.Errorf("missing --sysctl-root: exit %d, want 2", code)
	}
	_, empty := checkJSON(t, "--proc-root", host, "--sysctl-root", t.TempDir())
	if s := empty.statuses()["runtime-config-drift"]; s.Status != "skipped" || !strings.Contains(s.Reason, "no sysctl.d directory") {
		t.Errorf("tree without sysctl.d: %s %q, want skipped", s.Status, s.Reason)
	}
}

// TestConfShowProcps: with --procps, /etc/sysctl.conf is read last and wins
// over a later sysctl.d file, as `sysctl --system` does.
func TestConfShowProcps(t *testing.T) {
	_, out, _ := runCLI(t, "conf", "show", "--procps", "--root", filepath.Join(treesDir, "legacy"))
	if !strings.Contains(out, "net.ipv4.tcp_syn_retries  2      /etc/sysctl.conf:2") {
		t.Errorf("want tcp_syn_retries = 2 from /etc/sysctl.conf:\n%s", out)
	}
}
