// Package report writes a rules.Result in the formats tcpaudit offers. Each
// format is one file and writes to an io.Writer; nothing here evaluates.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/tcpaudit/tcpaudit/rules"
)

// SchemaVersion is the version of the JSON output (docs/json-output.md).
const SchemaVersion = 1

// Formats lists the output formats of `check`.
var Formats = []string{"text", "json"}

// Options are what every format may use.
type Options struct {
	// Color enables ANSI colour in the text format.
	Color bool
}

// Write renders res in the named format.
func Write(w io.Writer, format string, res rules.Result, o Options) error {
	switch format {
	case "text":
		return Text{Color: o.Color}.Write(w, res)
	case "json":
		return JSON{}.Write(w, res)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// Summary counts findings by severity and rules by status.
type Summary struct {
	Critical int `json:"critical"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
	Waived   int `json:"waived"`
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
	Disabled int `json:"disabled"`
}

// Summarize counts a result.
func Summarize(res rules.Result) Summary {
	var s Summary
	for _, f := range res.Findings {
		switch {
		case f.Waived != "":
			s.Waived++
		case f.Severity == rules.Critical:
			s.Critical++
		case f.Severity == rules.Warning:
			s.Warning++
		default:
			s.Info++
		}
	}
	for _, e := range res.Evaluations {
		switch e.Status {
		case rules.Passed:
			s.Passed++
		case rules.Failed:
			s.Failed++
		case rules.Skipped:
			s.Skipped++
		case rules.Disabled:
			s.Disabled++
		}
	}
	return s
}
