package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestCheckNetnsHostWide: check --netns NAME, run from the host, judges
// orphan-pressure and tcp-memory-pressure (their keys are global: the
// namespace the test made has neither) with the host's values, and marks
// the findings host-wide in the text and in JSON; the JSON matches the
// schema; fix --netns leaves tcp_max_orphans to the host.
func TestCheckNetnsHostWide(t *testing.T) {
	if _, err := os.Stat("/proc/sys/net/ipv4/tcp_max_orphans"); err != nil {
		t.Skipf("tcpaudit's namespace shows no tcp_max_orphans (not the host's?): %v", err)
	}
	ns := nstest.New(t)
	file := filepath.Join(t.TempDir(), "wide.yaml")
	writeProfileFile(t, file, "name: wide\nextends: baseline\nrules:\n"+
		"  orphan-pressure:\n    params: {warning_share: 0, critical_share: 100}\n"+
		"  tcp-memory-pressure:\n    params: {pressure_share: 0, max_share: 100}\n")
	args := []string{"check", "--netns", ns, "--profile-file", file, "--profile", "wide", "--no-color"}
	code, out, stderr := runCLI(t, append(args, "--format", "json")...)
	var doc struct {
		Findings []rules.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != exitFindings || err != nil {
		t.Fatalf("check --netns %s: exit %d, %v\nstderr: %s", ns, code, err, stderr)
	}
	validateReport(t, out)
	wide := map[string]bool{}
	for _, f := range doc.Findings {
		wide[f.Rule] = f.HostWide
	}
	for _, rule := range []string{"orphan-pressure", "tcp-memory-pressure"} {
		if !wide[rule] {
			t.Errorf("%s in %s: host-wide finding %v; want one, judged with the host's value\n%s", rule, ns, wide[rule], out)
		}
	}
	if wide["ephemeral-port-range"] {
		t.Error("ephemeral-port-range (a per-namespace key) marked host-wide")
	}
	_, text, _ := runCLI(t, args...)
	if !strings.Contains(text, "host-wide judged with the host's values") {
		t.Errorf("the text does not mark the host-wide findings:\n%s", text)
	}
	// Its fix in the namespace leaves the global key to the host, saying so.
	code, fix, stderr := runCLI(t, "fix", "--netns", ns, "--profile-file", file, "--profile", "wide", "--root", emptyRoot(t))
	if code != exitOK || strings.Contains(fix, "sysctl -w net.ipv4.tcp_max_orphans") ||
		!strings.Contains(stderr, "left out net.ipv4.tcp_max_orphans") || !strings.Contains(stderr, "set it on the host") {
		t.Errorf("fix --netns %s: exit %d\nstdout:\n%s\nstderr:\n%s", ns, code, fix, stderr)
	}
}

// validateReport checks a check --format json document against the
// report schema.
func validateReport(t *testing.T, out string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if err := compile(t, "report.v1.json", report.JSONSchema).Validate(v); err != nil {
		t.Errorf("the JSON does not match report/schema/report.v1.schema.json: %v", err)
	}
}

// TestCheckAllNetnsHostWideSkip: with --all-netns the rules reading a
// global key are judged with the host's namespace alone, and a namespace
// the test made says so in every output: a note in the text, its
// skipped_rules in JSON (valid against the schema), a skipped test case
// "RULE [NAME]" with the reason in JUnit.
func TestCheckAllNetnsHostWideSkip(t *testing.T) {
	if _, err := os.Stat("/proc/sys/net/ipv4/tcp_max_orphans"); err != nil {
		t.Skipf("tcpaudit's namespace shows no tcp_max_orphans (not the host's?): %v", err)
	}
	ns := nstest.New(t)
	const why = "judged once, with the host namespace"
	wide := []string{"orphan-pressure", "tcp-memory-pressure"}
	args := []string{"check", "--all-netns", "--no-color", "--fail-on", "never"}
	code, out, stderr := runCLI(t, append(args, "--format", "json")...)
	var doc struct {
		Namespaces []rules.Namespace `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != exitOK || err != nil {
		t.Fatalf("check --all-netns: exit %d, %v\nstderr: %s", code, err, stderr)
	}
	validateReport(t, out)
	skipped := map[string]string{}
	for _, n := range doc.Namespaces {
		if n.Name == ns {
			for _, e := range n.SkippedRules {
				skipped[e.Rule] = e.Reason
			}
		}
	}
	for _, r := range wide {
		if !strings.Contains(skipped[r], why) {
			t.Errorf("JSON: %s in %s skipped %q; want the reason %q", r, ns, skipped[r], why)
		}
	}
	_, text, _ := runCLI(t, args...)
	note := regexp.MustCompile(`(?s)\):\s+orphan-pressure,\s+tcp-memory-pressure\s+skipped:\s+host-wide`) // "N namespaces (…)" or "NAME (ID)"
	if !note.MatchString(text) {
		t.Errorf("text: no note of the host-wide skips:\n%s", text)
	}
	_, junit, _ := runCLI(t, append(args, "--format", "junit")...)
	var suite struct {
		Cases []struct {
			Name    string `xml:"name,attr"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	}
	if err := xml.Unmarshal([]byte(junit), &suite); err != nil {
		t.Fatalf("junit: %v", err)
	}
	for _, r := range wide {
		found := false
		for _, c := range suite.Cases {
			found = found || c.Name == r+" ["+ns+"]" && c.Skipped != nil && strings.Contains(c.Skipped.Message, why)
		}
		if !found {
			t.Errorf("JUnit: no skipped case %q with the reason %q", r+" ["+ns+"]", why)
		}
	}
}
