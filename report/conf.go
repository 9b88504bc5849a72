package report

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

type confEntryJSON struct {
	Key           string `json:"key"`
	Value         string `json:"value"`
	File          string `json:"file"`
	Line          int    `json:"line"`
	IgnoreFailure bool   `json:"ignore_failure"`
}

type confExcludedJSON struct {
	Key  string `json:"key"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type confDiagnosticJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

type confJSON struct {
	Entries     []confEntryJSON      `json:"entries"`
	Excluded    []confExcludedJSON   `json:"excluded"`
	Diagnostics []confDiagnosticJSON `json:"diagnostics"`
}

// ConfJSON writes the effective sysctl configuration of `conf show` as
// JSON: the entries applied, the excluded keys and the diagnostics.
func ConfJSON(w io.Writer, c *sysctlconf.Config) error {
	out := confJSON{Entries: []confEntryJSON{}, Excluded: []confExcludedJSON{}, Diagnostics: []confDiagnosticJSON{}}
	for _, e := range c.Entries {
		out.Entries = append(out.Entries, confEntryJSON{Key: e.Key, Value: e.Value, File: e.File, Line: e.Line, IgnoreFailure: e.IgnoreFailure})
	}
	for _, e := range c.Excluded {
		out.Excluded = append(out.Excluded, confExcludedJSON{Key: e.Key, File: e.File, Line: e.Line})
	}
	for _, d := range c.Diagnostics {
		out.Diagnostics = append(out.Diagnostics, confDiagnosticJSON{File: d.File, Line: d.Line, Severity: string(d.Severity), Message: d.Message})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// ConfText writes the effective sysctl configuration of `conf show` as a
// table of key, value and where it is set, then the diagnostics.
func ConfText(w io.Writer, c *sysctlconf.Config) error {
	c = escaped(c)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSET AT")
	for _, e := range c.Entries {
		at := fmt.Sprintf("%s:%d", e.File, e.Line)
		if e.IgnoreFailure {
			at += " (failure ignored)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Key, e.Value, at)
	}
	for _, e := range c.Excluded {
		fmt.Fprintf(tw, "%s\t(excluded)\t%s:%d\n", e.Key, e.File, e.Line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.Diagnostics) > 0 {
		fmt.Fprintln(w, "\nDiagnostics")
	}
	for _, d := range c.Diagnostics {
		if _, err := fmt.Fprintf(w, "  %s: %s\n", d.Severity, d.Error()); err != nil {
			return err
		}
	}
	return nil
}
