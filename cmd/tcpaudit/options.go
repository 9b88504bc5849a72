package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tcpaudit/tcpaudit/config"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
)

// auditOptions are the options of the commands that run the audit: what to
// audit and against which profiles.
type auditOptions struct {
	Profile      string   `mapstructure:"profile"`
	ProfileFiles []string `mapstructure:"profile-file"`
	ProcRoot     string   `mapstructure:"proc-root"`
	SysctlRoot   string   `mapstructure:"sysctl-root"`
	// file is the configuration file in use, nil for none.
	file *config.File
}

func (o *auditOptions) setConfig(f *config.File) { o.file = f }

// configPath names the configuration file in use, absolute, "" for none.
func (o auditOptions) configPath() string {
	if o.file == nil {
		return ""
	}
	if abs, err := filepath.Abs(o.file.Path); err == nil {
		return abs
	}
	return o.file.Path
}

// pipeline returns the pipeline options, judging waivers on today's date.
func (o auditOptions) pipeline() pipeline.Options {
	po := pipeline.Options{
		ProcRoot:     o.ProcRoot,
		SysctlRoot:   o.SysctlRoot,
		Profile:      o.Profile,
		ProfileFiles: o.ProfileFiles,
		Today:        time.Now(),
	}
	if o.file != nil {
		po.Overrides, po.Waivers = o.file.Overrides, o.file.Waivers
	}
	return po
}

// addProfileFlags declares --profile and --profile-file.
func addProfileFlags(f *pflag.FlagSet) {
	f.String("profile", profiles.Default, "profiles to apply, comma-separated ("+fmt.Sprint(profiles.Names())+")")
	f.StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in --profile")
}

// addAuditFlags declares the flags of auditOptions; procRoot describes
// --proc-root.
func addAuditFlags(f *pflag.FlagSet, procRoot string) {
	addProfileFlags(f)
	f.String("proc-root", "/proc", procRoot)
	f.String("sysctl-root", "", "root of the sysctl.d tree compared with runtime values (default / when --proc-root is /proc)")
}

// textOrJSON is the --format of the commands that print text or JSON.
type textOrJSON struct {
	Format string `mapstructure:"format"`
}

// addTextOrJSONFlag declares the flag of textOrJSON.
func addTextOrJSONFlag(f *pflag.FlagSet) {
	f.String("format", "text", "output format: text or json")
}

// validate checks --format.
func (o textOrJSON) validate() error {
	if o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("--format %q: want text or json", o.Format)
	}
	return nil
}

// outputOption is --output, the file a report is written to instead of
// stdout (the commands that print a report: check, lint, sockets).
type outputOption struct {
	Output string `mapstructure:"output"`
}

// addOutputFlag declares the flag of outputOption.
func addOutputFlag(f *pflag.FlagSet) {
	f.StringP("output", "o", "", "write the report to this file instead of stdout: a regular file is replaced atomically (a temporary file renamed), a symlink followed, a device or FIFO written into")
}

// reportOptions say how a report is written and when it fails the run.
type reportOptions struct {
	Format       string `mapstructure:"format"`
	FailOn       string `mapstructure:"fail-on"`
	NoColor      bool   `mapstructure:"no-color"`
	outputOption `mapstructure:",squash"`
	// failOn is FailOn parsed by validate; 0 for never.
	failOn rules.Severity
}

// addReportFlags declares the flags of reportOptions.
func addReportFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String("format", "text", "output format: "+strings.Join(report.Formats, ", "))
	addOutputFlag(f)
	f.String("fail-on", "warning", "lowest severity that makes the exit code 1: info, warning, critical or never")
	f.Bool("no-color", false, "disable colour (NO_COLOR is honoured too)")
}

// validate checks the options and parses --fail-on.
func (o *reportOptions) validate() error {
	failOn, err := parseFailOn(o.FailOn)
	if err != nil {
		return fmt.Errorf("--fail-on: %w", err)
	}
	if err := report.CheckFormat(o.Format); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	o.failOn = failOn
	return nil
}

// parseFailOn returns 0 for "never".
func parseFailOn(s string) (rules.Severity, error) {
	if s == "never" {
		return 0, nil
	}
	sev, err := rules.ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("unknown value %q (want info, warning, critical or never)", s)
	}
	return sev, nil
}
