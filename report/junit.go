package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/rules"
)

// JUnit writes one JUnit XML testsuite, the format CI servers read (the
// Apache Ant schema): one testcase per evaluated rule, failed with its
// findings, skipped with the reason. Disabled rules are not test cases.
type JUnit struct {
	// Now is the suite's timestamp; Hostname its hostname attribute.
	Now      time.Time
	Hostname string
}

type junitSuite struct {
	XMLName    xml.Name        `xml:"testsuite"`
	Name       string          `xml:"name,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Hostname   string          `xml:"hostname,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out"`
	SystemErr  string          `xml:"system-err"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped"`
	Failure   *junitMessage `xml:"failure"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// Write renders res.
func (j JUnit) Write(w io.Writer, res rules.Result) error {
	s := junitSuite{
		Name:      "tcpaudit " + command(res) + ": profile " + res.Profile,
		Timestamp: j.Now.UTC().Format("2006-01-02T15:04:05"),
		Hostname:  j.Hostname,
		Time:      "0",
		Properties: []junitProperty{
			{Name: "profile", Value: res.Profile},
			{Name: "kernel", Value: res.Kernel},
		},
		SystemOut: strings.Join(res.Notes, "\n"),
	}
	if res.Sockets != nil {
		s.Properties = append(s.Properties, junitProperty{Name: "sockets", Value: strconv.Itoa(res.Sockets.Total)})
	}
	if res.Config != "" {
		s.Properties = append(s.Properties, junitProperty{Name: "config", Value: res.Config})
	}
	s.Cases = junitCases(res)
	for _, c := range s.Cases {
		s.Tests++
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Skipped != nil:
			s.Skipped++
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitCases lists the evaluated rules, then findings of rules that have no
// evaluation (file-based results such as lint list only findings).
func junitCases(res rules.Result) []junitCase {
	byRule := make(map[string][]rules.Finding)
	for _, f := range res.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	var cases []junitCase
	seen := make(map[string]bool)
	for _, e := range res.Evaluations {
		seen[e.Rule] = true
		c := junitCase{Name: e.Rule, Classname: "tcpaudit." + e.Category, Time: "0"}
		switch e.Status {
		case rules.Disabled:
			continue
		case rules.Skipped:
			c.Skipped = &junitMessage{Message: e.Reason}
		case rules.Failed:
			c.Failure, c.Skipped = junitFailure(byRule[e.Rule])
		}
		cases = append(cases, c)
	}
	for _, f := range res.Findings {
		if seen[f.Rule] {
			continue
		}
		c := junitCase{Name: f.Rule, Classname: "tcpaudit", Time: "0"}
		if f.Location != nil {
			c.Name = f.Rule + " " + locationString(f.Location)
		}
		c.Failure, c.Skipped = junitFailure([]rules.Finding{f})
		cases = append(cases, c)
	}
	return cases
}

// junitFailure renders a rule's findings; when every one is waived the case
// is skipped with the waivers instead.
func junitFailure(found []rules.Finding) (failure, skipped *junitMessage) {
	var open, waived []rules.Finding
	for _, f := range found {
		if f.Waived != "" {
			waived = append(waived, f)
		} else {
			open = append(open, f)
		}
	}
	if len(open) == 0 && len(waived) > 0 {
		var why []string
		for _, f := range waived {
			why = append(why, "waived: "+f.Waived)
		}
		return nil, &junitMessage{Message: strings.Join(why, "; ")}
	}
	if len(open) == 0 {
		return &junitMessage{Message: "failed", Type: "failed"}, nil
	}
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
	return &junitMessage{Message: msg, Type: worst.Severity.String(), Text: b.String()}, nil
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
