// Package report writes what tcpaudit prints: a rules.Result in each of
// its formats, the socket view of `sockets`, the effective configuration
// of `conf show`, the knowledge base of `explain` and the rule reference
// of docs/rules.md. Each format is one file and writes to an io.Writer;
// nothing here evaluates.
package report

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// SchemaVersion is the version of the JSON output (docs/json-output.md).
const SchemaVersion = 1

// Formats lists the output formats of `check`.
var Formats = []string{"text", "json", "junit", "sarif", "prometheus", "markdown"}

// ErrUnknownFormat is returned for a format not in Formats.
var ErrUnknownFormat = errors.New("unknown format")

// Options are what every format may use.
type Options struct {
	// Color enables ANSI colour in the text format.
	Color bool
	// Now is the time of the run (JUnit timestamp); the zero value means
	// time.Now().
	Now time.Time
	// Hostname names the audited host (JUnit, SARIF logical locations);
	// empty means "localhost".
	Hostname string
	// Version is tcpaudit's version (SARIF tool, Prometheus info).
	Version string
	// FailOn is the lowest severity that fails the run (--fail-on): JUnit
	// reports findings below it without a failure. 0 means every finding
	// fails; NeverFail means none does.
	FailOn rules.Severity
	// Configured maps sysctl keys to the file (as on the host) and line of
	// the sysctl.d tree that set them, when a tree was resolved, and
	// SysctlRoot is that tree's root: SARIF gives a finding whose fix sets
	// such a key that file, under the root, as its physical location.
	Configured map[string]audit.Setting
	SysctlRoot string
}

// NeverFail is the FailOn of --fail-on never: above every severity.
const NeverFail = rules.Critical + 1

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

func (o Options) hostname() string {
	if o.Hostname == "" {
		return "localhost"
	}
	return o.Hostname
}

// CheckFormat returns ErrUnknownFormat, wrapped with the list of formats,
// unless format is one of Formats.
func CheckFormat(format string) error {
	if slices.Contains(Formats, format) {
		return nil
	}
	return fmt.Errorf("%w %q (want %s)", ErrUnknownFormat, format, strings.Join(Formats, ", "))
}

// Write renders res in the named format.
func Write(w io.Writer, format string, res rules.Result, o Options) error {
	switch format {
	case "text":
		return Text{Color: o.Color}.Write(w, res)
	case "json":
		return JSON{}.Write(w, res)
	case "junit":
		return JUnit{Now: o.now(), Hostname: o.hostname(), FailOn: o.FailOn}.Write(w, res)
	case "sarif":
		return SARIF{Version: o.Version, Hostname: o.hostname(), Configured: o.Configured, Root: o.SysctlRoot}.Write(w, res)
	case "prometheus":
		return Prometheus{Version: o.Version}.Write(w, res)
	case "markdown":
		return Markdown{}.Write(w, res)
	}
	return CheckFormat(format)
}

// command names the command that produced res, for titles.
func command(res rules.Result) string {
	if res.Command == "" {
		return "check"
	}
	return res.Command
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
