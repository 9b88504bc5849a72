package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/rules"
)

// cases lists the evaluated rules, then findings of rules that have no
// evaluation (file-based results such as lint list only findings), and
// the lines that name the findings below FailOn.
func (j JUnit) cases(res rules.Result) ([]junitCase, []string) {
	byRule := make(map[string][]rules.Finding)
	var inNamespaces []rules.Finding
	for _, f := range res.Findings {
		if f.Namespace != "" {
			inNamespaces = append(inNamespaces, f)
			continue
		}
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	var cases []junitCase
	var below []string
	add := func(c junitCase, found []rules.Finding) {
		var low []rules.Finding
		c.Failure, c.Skipped, low = j.failure(found)
		for _, f := range low {
			below = append(below, fmt.Sprintf("below --fail-on: %s [%s] %s", c.Name, f.Severity, f.Title))
		}
		cases = append(cases, c)
	}
	seen := make(map[string]bool)
	for _, e := range res.Evaluations {
		seen[e.Rule] = true
		c := junitCase{Name: e.Rule, Classname: classname(res, e.Rule, e.Category), Time: "0"}
		switch e.Status {
		case rules.Disabled:
			continue
		case rules.Skipped:
			c.Skipped = &junitMessage{Message: e.Reason}
		case rules.Failed:
			if len(byRule[e.Rule]) == 0 && failsElsewhere(e.Rule, inNamespaces) {
				break // it failed in other namespaces only: their cases say so
			}
			add(c, byRule[e.Rule])
			continue
		}
		cases = append(cases, c)
	}
	for _, f := range res.Findings {
		if seen[f.Rule] {
			continue
		}
		c := junitCase{Name: f.Rule, Classname: classname(res, f.Rule, ""), Time: "0"}
		if f.Location != nil {
			c.Name = f.Rule + " " + locationString(f.Location)
		}
		add(c, []rules.Finding{f})
	}
	for _, g := range namespaceCases(res, inNamespaces) {
		add(junitCase{Name: g.name, Classname: classname(res, g.found[0].Rule, g.category), Time: "0"}, g.found)
	}
	return append(cases, namespaceSkips(res)...), below
}

// classname groups cases: lint's by check ("tcpaudit.lint.syntax"), the
// audit's by category ("tcpaudit.hardening").
func classname(res rules.Result, rule, category string) string {
	switch {
	case res.Command != "" && res.Command != "check":
		return "tcpaudit." + res.Command + "." + strings.TrimPrefix(rule, res.Command+"-")
	case category != "":
		return "tcpaudit." + category
	}
	return "tcpaudit"
}

// failure renders a rule's findings at or above FailOn; when every one is
// waived the case is skipped with the waivers instead, and when every one
// is below FailOn the case passes. below lists the findings under FailOn.
func (j JUnit) failure(found []rules.Finding) (failure, skipped *junitMessage, below []rules.Finding) {
	var open, waived []rules.Finding
	for _, f := range found {
		switch {
		case f.Waived != "":
			waived = append(waived, f)
		case f.Severity < j.FailOn:
			below = append(below, f)
		default:
			open = append(open, f)
		}
	}
	switch {
	case len(open) == 0 && len(waived) > 0 && len(below) == 0:
		var why []string
		for _, f := range waived {
			why = append(why, "waived: "+f.Waived)
		}
		return nil, &junitMessage{Message: strings.Join(why, "; ")}, nil
	case len(open) == 0 && len(found) == 0 && j.FailOn < NeverFail:
		return &junitMessage{Message: "failed", Type: "failed"}, nil, nil
	case len(open) == 0:
		return nil, nil, below
	}
	return junitFailure(open), nil, below
}

// junitFailure renders open findings as one failure, typed by the worst.
func junitFailure(open []rules.Finding) *junitMessage {
	worst := open[0]
	var b strings.Builder
	for i, f := range open {
		if f.Severity > worst.Severity {
			worst = f
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(findingText(f))
	}
	msg := worst.Title
	if len(open) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", worst.Title, len(open)-1)
	}
	return &junitMessage{Message: msg, Type: worst.Severity.String(), Text: b.String()}
}

// findingText is a finding as plain text: title, observed, expected, why
// and fix.
func findingText(f rules.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s\n", f.Severity, f.Title)
	if f.Location != nil {
		fmt.Fprintf(&b, "location: %s\n", locationString(f.Location))
	}
	fmt.Fprintf(&b, "observed: %s\nexpected: %s\nwhy: %s\n", f.Observed, f.Expected, f.Explanation)
	if f.Fix.Advice != "" {
		fmt.Fprintf(&b, "fix: %s\n", f.Fix.Advice)
	}
	for _, o := range f.Fix.Processes {
		fmt.Fprintf(&b, "process: pid %d (%s) holds %d sockets\n", o.PID, o.Command, o.Sockets)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Fix.Sysctl)) {
		fmt.Fprintf(&b, "sysctl: %s = %s\n", k, f.Fix.Sysctl[k])
	}
	return b.String()
}

func locationString(l *rules.Location) string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}
