package rules

import (
	"cmp"
	"slices"
)

// Judge stamps the findings rule r returned with its ID and severity (the
// finding's own, else the rule's default; rc.Severity overrides both when
// set, except on a finding the rule itself marks Info: a note, such as a
// counter's total since boot, that no profile turns into a failure) and
// returns the evaluation they make: Failed when one of them is not
// waived, Passed otherwise. A finding the rule itself marks waived is an
// annotation of what the profile accepts (kubernetes-node's ip_forward = 1),
// not a failure.
func Judge(r Rule, rc RuleConfig, found []Finding) Evaluation {
	status := Passed
	for i := range found {
		found[i].Rule = r.ID
		own := found[i].Severity
		if own == 0 {
			found[i].Severity = r.Severity
		}
		if rc.Severity != 0 && own != Info {
			found[i].Severity = rc.Severity
		}
		if found[i].Waived == "" {
			status = Failed
		}
	}
	return r.evaluation(status, "")
}

// evaluation is the evaluation of r with a status and its reason.
func (r Rule) evaluation(s Status, reason string) Evaluation {
	return Evaluation{Rule: r.ID, Title: r.Title, Category: r.Category, Status: s, Reason: reason}
}

// SortFindings orders findings by severity, most severe first, keeping the
// order of findings of equal severity.
func SortFindings(found []Finding) {
	slices.SortStableFunc(found, func(a, b Finding) int { return cmp.Compare(b.Severity, a.Severity) })
}
