package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/rules"
)

// junitRead is the part of a JUnit document the tests read.
type junitRead struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Cases    []struct {
		Name    string `xml:"name,attr"`
		Failure *struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"failure"`
		Skipped *struct {
			Message string `xml:"message,attr"`
		} `xml:"skipped"`
	} `xml:"testcase"`
}

func TestJUnitOneCasePerEvaluatedRule(t *testing.T) {
	for _, host := range goldenHosts {
		t.Run(host, func(t *testing.T) {
			res := hostResult(t, host)
			var b bytes.Buffer
			if err := (JUnit{Now: testOptions.Now, Hostname: "h"}).Write(&b, res); err != nil {
				t.Fatal(err)
			}
			var doc junitRead
			if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			want := map[string]rules.Status{}
			for _, e := range res.Evaluations {
				if e.Status != rules.Disabled {
					want[e.Rule] = e.Status
				}
			}
			got := map[string]rules.Status{}
			for _, c := range doc.Cases {
				switch {
				case c.Failure != nil:
					got[c.Name] = rules.Failed
				case c.Skipped != nil:
					got[c.Name] = rules.Skipped
				default:
					got[c.Name] = rules.Passed
				}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("test cases (-want +got):\n%s", d)
			}
			s := Summarize(res)
			if doc.Tests != len(want) || doc.Failures != s.Failed || doc.Skipped != s.Skipped {
				t.Errorf("counts: tests %d failures %d skipped %d, want %d %d %d", doc.Tests, doc.Failures, doc.Skipped, len(want), s.Failed, s.Skipped)
			}
		})
	}
}

func TestJUnitWaivedAndFileFindings(t *testing.T) {
	var b bytes.Buffer
	if err := (JUnit{Now: testOptions.Now, Hostname: "h"}).Write(&b, fileResult()); err != nil {
		t.Fatal(err)
	}
	var doc junitRead
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	type tc struct{ Name, Failure, Skipped string }
	var got []tc
	for _, c := range doc.Cases {
		var x tc
		x.Name = c.Name
		if c.Failure != nil {
			x.Failure = c.Failure.Type
		}
		if c.Skipped != nil {
			x.Skipped = c.Skipped.Message
		}
		got = append(got, x)
	}
	want := []tc{
		{Name: "tw-recycle-enabled /etc/sysctl.d/90-tuning.conf:7", Failure: "critical"},
		{Name: "fin-timeout etc/sysctl.conf", Skipped: "waived: kept for the load balancer (ticket OPS-12)"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("test cases (-want +got):\n%s", d)
	}
}

// TestJUnitXSDRejects makes sure the XSD check can fail: a suite without a
// hostname is invalid.
func TestJUnitXSDRejects(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils): cannot validate against the JUnit XSD")
	}
	var b bytes.Buffer
	if err := (JUnit{Now: testOptions.Now}).Write(&b, fileResult()); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "schemas", "junit.xsd"), file).CombinedOutput(); err == nil {
		t.Errorf("xmllint accepted a suite with an empty hostname:\n%s", out)
	}
}
