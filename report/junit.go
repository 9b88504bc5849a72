package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/rules"
)

// JUnit writes one JUnit XML testsuite, the format CI servers read (the
// Apache Ant schema): one testcase per evaluated rule, failed with its
// findings at or above FailOn, skipped with the reason. Findings below
// FailOn do not fail their case; the suite's system-out lists them.
// Disabled rules are not test cases.
type JUnit struct {
	// Now is the suite's timestamp; Hostname its hostname attribute.
	Now      time.Time
	Hostname string
	// FailOn is the lowest severity that fails a case: 0 means every
	// finding fails, NeverFail none.
	FailOn rules.Severity
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

// Write renders res, every string of it escaped (Escape): a test report
// is read in a terminal or a CI page, and a namespace or process name
// from the system may hold a newline or an escape sequence.
func (j JUnit) Write(w io.Writer, res rules.Result) error {
	res = escaped(res)
	s := junitSuite{
		Name:       "tcpaudit " + command(res) + ": profile " + res.Profile,
		Timestamp:  j.Now.UTC().Format("2006-01-02T15:04:05"),
		Hostname:   j.Hostname,
		Time:       "0",
		Properties: []junitProperty{{Name: "profile", Value: res.Profile}},
	}
	if res.Kernel != "" {
		s.Properties = append(s.Properties, junitProperty{Name: "kernel", Value: res.Kernel})
	}
	if res.Sockets != nil {
		s.Properties = append(s.Properties, junitProperty{Name: "sockets", Value: strconv.Itoa(res.Sockets.Total)})
	}
	if res.Config != "" {
		s.Properties = append(s.Properties, junitProperty{Name: "config", Value: res.Config})
	}
	var below []string
	s.Cases, below = j.cases(res)
	s.SystemOut = strings.Join(append(slices.Clone(res.Notes), below...), "\n")
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
