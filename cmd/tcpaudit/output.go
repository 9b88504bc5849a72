package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tcpaudit/tcpaudit/internal/atomicfile"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
)

// emit writes the report of res with ro (the audited host, where the
// sysctl.d tree sets its keys) and returns errFindings when it has findings
// at or above --fail-on.
func (o reportOptions) emit(s streams, res rules.Result, ro report.Options) error {
	ro.Color, ro.Version, ro.FailOn = s.color(o.NoColor) && o.Output == "", toolVersion(), o.failOn
	if o.failOn == 0 {
		ro.FailOn = report.NeverFail
	}
	if err := writeReport(s.out, o.Output, o.Format, res, ro); err != nil {
		return err
	}
	if o.failOn > 0 && res.Worst() >= o.failOn {
		return errFindings
	}
	return nil
}

// sysctlTree is where the audit's sysctl.d tree sets its keys, for SARIF
// locations: the settings as on the host and the tree's root (a relative
// --sysctl-root gives paths relative to the working directory, as code
// scanning wants); nothing when no tree was resolved.
func sysctlTree(a *pipeline.Audit) report.Options {
	if a.Sysctl == nil || a.Facts == nil {
		return report.Options{}
	}
	return report.Options{Configured: a.Facts.Configured, SysctlRoot: a.Sysctl.Root}
}

// writeReport renders res to out, or atomically to the file named by
// output when it is set.
func writeReport(out io.Writer, output, format string, res rules.Result, o report.Options) error {
	err := writeOutput(out, output, func(w io.Writer) error { return report.Write(w, format, res, o) })
	if err != nil && output == "" {
		return fmt.Errorf("write report: %w", err)
	}
	return err
}

// writeOutput runs write with out, or, when output names a file, with that
// file, written atomically: a regular file is replaced only when write
// succeeds (internal/atomicfile).
func writeOutput(out io.Writer, output string, write func(io.Writer) error) error {
	if output == "" {
		return write(out)
	}
	return atomicfile.Write(output, write)
}

// writeTable writes rows (the first one a header) in aligned columns.
func writeTable(w io.Writer, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
