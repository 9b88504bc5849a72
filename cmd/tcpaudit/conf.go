package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// confOptions are the settings of `tcpaudit conf show`.
type confOptions struct {
	Root   string `mapstructure:"root"`
	Format string `mapstructure:"format"`
	Procps bool   `mapstructure:"procps"`
}

func newConfCmd(s streams) *cobra.Command {
	conf := &cobra.Command{
		Use:   "conf",
		Short: "Inspect the sysctl.d configuration",
		Args:  cobra.NoArgs,
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the effective sysctl configuration: key, value, file:line",
		Long: "show resolves /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d and\n" +
			"/usr/lib/sysctl.d under the root as systemd-sysctl does (same-name files\n" +
			"shadow, byte-wise order by file name, last assignment wins, explicit keys\n" +
			"beat globs, /etc/sysctl.conf only through a link such as 99-sysctl.conf)\n" +
			"and prints what is applied at boot and where it is set.",
		Args: cobra.NoArgs,
	}
	f := show.Flags()
	f.String("root", "/", "root directory of the configuration tree")
	f.String("format", "text", "output format: text or json")
	f.Bool("procps", false, "show what procps-ng 4.0.5+ `sysctl --system` applies instead (it also reads hidden files and /etc/sysctl.conf last)")
	show.RunE = withOptions(func(_ *cobra.Command, _ []string, o confOptions) error {
		return runConfShow(s, o)
	})
	conf.AddCommand(show)
	return conf
}

func runConfShow(s streams, o confOptions) error {
	if o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("--format %q: want text or json", o.Format)
	}
	resolve := sysctlconf.Resolve
	if o.Procps {
		resolve = func(root string) (*sysctlconf.Config, error) {
			return sysctlconf.ResolveProcps(root, sysctlconf.Procps{GlobExclusions: true})
		}
	}
	c, err := resolve(o.Root)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		err = writeConfJSON(s.out, c)
	} else {
		err = writeConfText(s.out, c)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return unreadable(c)
}

// unreadable turns the files and directories of the tree that could not be
// read (a symlink loop, a FIFO, no permission) into exit code 2, after the
// report: the effective configuration shown may then be incomplete.
func unreadable(c *sysctlconf.Config) error {
	var bad []string
	for _, d := range c.Diagnostics {
		if d.Severity == sysctlconf.SeverityError && d.Line == 0 {
			bad = append(bad, d.Error())
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("the configuration shown may be incomplete: %s", strings.Join(bad, "; "))
}

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

func writeConfJSON(w io.Writer, c *sysctlconf.Config) error {
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

func writeConfText(w io.Writer, c *sysctlconf.Config) error {
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
