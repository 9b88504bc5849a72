package main

import (
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/lint"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/report"
)

// lintOptions are the settings of `tcpaudit lint`.
type lintOptions struct {
	Profile      string   `mapstructure:"profile"`
	ProfileFiles []string `mapstructure:"profile-file"`
	ProcRoot     string   `mapstructure:"proc-root"`
	Format       string   `mapstructure:"format"`
	FailOn       string   `mapstructure:"fail-on"`
	NoColor      bool     `mapstructure:"no-color"`
	Output       string   `mapstructure:"output"`
	Config       string   `mapstructure:"config"`
}

func newLintCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lint [flags] PATH...",
		Short: "Check sysctl.conf and sysctl.d files without touching the kernel",
		Long: "lint reads sysctl configuration files, or a whole tree when PATH is a root\n" +
			"directory (one holding etc/ or usr/), the way systemd-sysctl does and reports\n" +
			"lines it ignores or misreads, keys this kernel does not have or removed,\n" +
			"values outside the kernel's bounds, keys set in several files (naming the\n" +
			"winner), settings that contradict the profile, and lines procps and\n" +
			"systemd-sysctl treat differently.\n\n" +
			"Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,\n" +
			"2 usage error or unreadable input.",
		Args: cobra.MinimumNArgs(1),
	}
	f := cmd.Flags()
	f.String("profile", profiles.Default, "profiles whose expected values the files are checked against, comma-separated")
	f.StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in --profile")
	f.String("proc-root", "/proc", "directory that mirrors /proc: keys are looked up under its sys/")
	f.String("format", "text", "output format: "+strings.Join(report.Formats, ", "))
	f.StringP("output", "o", "", "write the report to this file (atomically: a temporary file renamed) instead of stdout")
	f.String("fail-on", "warning", "lowest severity that makes the exit code 1: info, warning, critical or never")
	f.Bool("no-color", false, "disable colour (NO_COLOR is honoured too)")
	cmd.RunE = withOptions(func(_ *cobra.Command, args []string, o lintOptions) error {
		return runLint(s, o, args)
	})
	return cmd
}

func runLint(s streams, o lintOptions, args []string) error {
	failOn, err := parseFailOn(o.FailOn)
	if err != nil {
		return usageError("--fail-on: %w", err)
	}
	if err := report.CheckFormat(o.Format); err != nil {
		return usageError("--format: %w", err)
	}
	cfg, err := loadProfile(o.Profile, o.ProfileFiles, o.Config, time.Now())
	if err != nil {
		return usageError("%w", err)
	}
	tree, err := lint.Load(args)
	if err != nil {
		return &codeError{code: exitError, err: err}
	}
	res := lint.Run(tree, lint.Options{Profile: cfg, ProcRoot: o.ProcRoot})
	color := s.tty && !o.NoColor && os.Getenv("NO_COLOR") == "" && o.Output == ""
	if err := writeReport(s.out, o.Output, o.Format, res, report.Options{Color: color, Version: version}); err != nil {
		return &codeError{code: exitError, err: err}
	}
	if failOn > 0 && res.Worst() >= failOn {
		return &codeError{code: exitFindings}
	}
	return nil
}
