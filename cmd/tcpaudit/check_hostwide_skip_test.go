package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
	"github.com/tcpaudit/tcpaudit/rules"
)

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
	note := regexp.MustCompile(`(?s)\d+ namespaces? \(.*\):\s+orphan-pressure,\s+tcp-memory-pressure\s+skipped:\s+host-wide`)
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
