package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sarifDoc is the part of a SARIF log the tests read.
type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					FullyQualifiedName string `json:"fullyQualifiedName"`
					Kind               string `json:"kind"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			Suppressions []struct {
				Kind string `json:"kind"`
			} `json:"suppressions"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIFFileLocations(t *testing.T) {
	var b bytes.Buffer
	if err := (SARIF{Hostname: "h"}).Write(&b, fileResult()); err != nil {
		t.Fatal(err)
	}
	var doc sarifDoc
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	type loc struct {
		Rule, Level, URI string
		Line             int
		Suppressed       bool
	}
	var got []loc
	for _, r := range doc.Runs[0].Results {
		p := r.Locations[0].PhysicalLocation
		l := loc{Rule: r.RuleID, Level: r.Level, URI: p.ArtifactLocation.URI, Suppressed: len(r.Suppressions) > 0}
		if p.Region != nil {
			l.Line = p.Region.StartLine
		}
		got = append(got, l)
	}
	want := []loc{
		{Rule: "tw-recycle-enabled", Level: "error", URI: "file:///etc/sysctl.d/90-tuning.conf", Line: 7},
		{Rule: "fin-timeout", Level: "note", URI: "etc/sysctl.conf", Suppressed: true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}

func TestSARIFLogicalLocations(t *testing.T) {
	res := hostResult(t, "old-kernel-tw-recycle")
	var b bytes.Buffer
	if err := (SARIF{Hostname: "web-1"}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	var doc sarifDoc
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if len(run.Results) != len(res.Findings) || len(res.Findings) == 0 {
		t.Fatalf("%d results for %d findings", len(run.Results), len(res.Findings))
	}
	for i, r := range run.Results {
		f := res.Findings[i]
		if r.RuleID != f.Rule || run.Tool.Driver.Rules[r.RuleIndex].ID != f.Rule {
			t.Errorf("result %d: ruleId %s, ruleIndex names %s, want %s", i, r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID, f.Rule)
		}
		l := r.Locations[0]
		if l.PhysicalLocation != nil || len(l.LogicalLocations) == 0 {
			t.Errorf("result %d (%s): want only logical locations, got %+v", i, f.Rule, l)
			continue
		}
		for _, ll := range l.LogicalLocations {
			want := "web-1/" + f.Rule
			if _, isKey := f.Fix.Sysctl[ll.FullyQualifiedName[len("web-1/"):]]; isKey {
				want = ll.FullyQualifiedName
			}
			if ll.FullyQualifiedName != want {
				t.Errorf("result %d (%s): logical location %s, want %s", i, f.Rule, ll.FullyQualifiedName, want)
			}
		}
	}
}
