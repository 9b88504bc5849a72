package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJudge(t *testing.T) {
	r := Rule{ID: "r", Title: "T", Category: Hardening, Severity: Warning}
	for _, c := range []struct {
		name     string
		rc       RuleConfig
		found    []Finding
		status   Status
		severity []Severity
	}{
		{"none", RuleConfig{}, nil, Passed, nil},
		{"default severity", RuleConfig{}, []Finding{{}, {Severity: Info}}, Failed, []Severity{Warning, Info}},
		{"override", RuleConfig{Severity: Critical}, []Finding{{}, {Severity: Warning}}, Failed, []Severity{Critical, Critical}},
		{"a note stays info", RuleConfig{Severity: Critical}, []Finding{{Severity: Info}}, Failed, []Severity{Info}},
		{"waived by the rule", RuleConfig{}, []Finding{{Waived: "accepted"}}, Passed, []Severity{Warning}},
	} {
		ev := Judge(r, c.rc, c.found)
		want := Evaluation{Rule: "r", Title: "T", Category: Hardening, Status: c.status}
		if d := cmp.Diff(want, ev); d != "" {
			t.Errorf("%s: evaluation (-want +got):\n%s", c.name, d)
		}
		var sev []Severity
		for _, f := range c.found {
			if f.Rule != "r" {
				t.Errorf("%s: finding of rule %q", c.name, f.Rule)
			}
			sev = append(sev, f.Severity)
		}
		if d := cmp.Diff(c.severity, sev); d != "" {
			t.Errorf("%s: severities (-want +got):\n%s", c.name, d)
		}
	}
}

func TestSortFindings(t *testing.T) {
	found := []Finding{{Title: "a", Severity: Info}, {Title: "b", Severity: Critical}, {Title: "c", Severity: Info}, {Title: "d", Severity: Warning}}
	SortFindings(found)
	var got string
	for _, f := range found {
		got += f.Title
	}
	if got != "bdac" {
		t.Errorf("order %s, want bdac (most severe first, equal ones in their order)", got)
	}
}
