package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/rules"
)

// TestJUnitFailOn: a case fails only with findings at or above FailOn;
// the findings below it are named in system-out; NeverFail fails none.
// Every variant is valid against the JUnit XSD.
func TestJUnitFailOn(t *testing.T) {
	res := hostResult(t, "misconfigured")
	counts := map[rules.Severity]int{}
	for _, f := range res.Findings {
		if f.Waived == "" {
			counts[f.Severity]++
		}
	}
	if counts[rules.Info] == 0 || counts[rules.Warning] == 0 {
		t.Fatalf("fixture host misconfigured needs info and warning findings: %v", counts)
	}
	for _, c := range []struct {
		failOn rules.Severity
		failed func(rules.Severity) bool
	}{
		{0, func(rules.Severity) bool { return true }},
		{rules.Warning, func(s rules.Severity) bool { return s >= rules.Warning }},
		{rules.Critical, func(s rules.Severity) bool { return s >= rules.Critical }},
		{NeverFail, func(rules.Severity) bool { return false }},
	} {
		t.Run(c.failOn.String(), func(t *testing.T) {
			var b bytes.Buffer
			if err := (JUnit{Now: testOptions.Now, Hostname: "h", FailOn: c.failOn}).Write(&b, res); err != nil {
				t.Fatal(err)
			}
			validateXSD(t, b.Bytes())
			var doc struct {
				junitRead
				SystemOut string `xml:"system-out"`
			}
			if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			failing := map[string]bool{}
			below := 0
			for _, f := range res.Findings {
				switch {
				case f.Waived != "":
				case c.failed(f.Severity):
					failing[f.Rule] = true
				default:
					below++
				}
			}
			for _, tc := range doc.Cases {
				if (tc.Failure != nil) != failing[tc.Name] {
					t.Errorf("case %s: failure %v, want %v", tc.Name, tc.Failure != nil, failing[tc.Name])
				}
			}
			if doc.Failures != len(failing) {
				t.Errorf("failures=%d, want %d", doc.Failures, len(failing))
			}
			if got := strings.Count(doc.SystemOut, "below --fail-on"); got != below {
				t.Errorf("system-out names %d findings below --fail-on, want %d:\n%s", got, below, doc.SystemOut)
			}
		})
	}
}

// TestJUnitLintClassnames: lint's cases are grouped by check, and a result
// without a kernel has no kernel property.
func TestJUnitLintClassnames(t *testing.T) {
	res := rules.Result{Command: "lint", Profile: "baseline", Evaluations: []rules.Evaluation{
		{Rule: "lint-syntax", Category: "hardening", Status: rules.Passed},
		{Rule: "lint-shadowed", Category: "hardening", Status: rules.Passed},
	}}
	var b bytes.Buffer
	if err := (JUnit{Now: testOptions.Now, Hostname: "h"}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	validateXSD(t, b.Bytes())
	var doc struct {
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) != 2 || doc.Cases[0].Classname != "tcpaudit.lint.syntax" || doc.Cases[1].Classname != "tcpaudit.lint.shadowed" {
		t.Errorf("cases %+v, want classnames tcpaudit.lint.syntax and tcpaudit.lint.shadowed", doc.Cases)
	}
	for _, p := range doc.Properties {
		if p.Value == "" {
			t.Errorf("empty property %s", p.Name)
		}
	}
}

// validateXSD checks a JUnit document against the vendored XSD with
// xmllint, when it is installed.
func validateXSD(t *testing.T, doc []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Log("xmllint not installed (Debian package libxml2-utils): not validated against the JUnit XSD")
		return
	}
	file := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "schemas", "junit.xsd"), file).CombinedOutput(); err != nil {
		t.Errorf("xmllint --schema junit.xsd: %v\n%s\n%s", err, out, doc)
	}
}
