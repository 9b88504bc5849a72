package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
)

// checkOptions are the settings of `tcpaudit check`, from flags and
// TCPAUDIT_* variables.
type checkOptions struct {
	Profile      string        `mapstructure:"profile"`
	ProfileFiles []string      `mapstructure:"profile-file"`
	ProcRoot     string        `mapstructure:"proc-root"`
	Format       string        `mapstructure:"format"`
	FailOn       string        `mapstructure:"fail-on"`
	NoColor      bool          `mapstructure:"no-color"`
	Output       string        `mapstructure:"output"`
	Snapshot     string        `mapstructure:"snapshot"`
	SysctlRoot   string        `mapstructure:"sysctl-root"`
	Sampling     sampleOptions `mapstructure:",squash"`
	// Config is the configuration file in use ("" for none).
	Config string `mapstructure:"config"`
}

func newCheckCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Audit this host (or a captured proc tree) and report findings",
		Long: "check gathers sysctls, the socket census and kernel counters under the proc\n" +
			"root, evaluates the profile's rules and prints the findings.\n\n" +
			"Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,\n" +
			"2 usage error, unreadable input or internal error.",
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.String("profile", profiles.Default, "profiles to apply, comma-separated ("+fmt.Sprint(profiles.Names())+")")
	f.StringSlice("profile-file", nil, "extra profile YAML files; their names can be used in --profile")
	f.String("proc-root", "/proc", "directory that mirrors /proc (a snapshot or a host's /proc)")
	f.String("format", "text", "output format: "+strings.Join(report.Formats, ", "))
	f.StringP("output", "o", "", "write the report to this file (atomically: a temporary file renamed) instead of stdout")
	f.String("snapshot", "", "audit a `FILE.tar.gz` written by tcpaudit snapshot, instead of --proc-root")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(report.Formats, cobra.ShellCompDirectiveNoFileComp))
	f.String("fail-on", "warning", "lowest severity that makes the exit code 1: info, warning, critical or never")
	f.Bool("no-color", false, "disable colour (NO_COLOR is honoured too)")
	f.String("sysctl-root", "", "root of the sysctl.d tree compared with runtime values (default / when --proc-root is /proc)")
	addSampleFlags(f)
	cmd.RunE = withOptions(func(cmd *cobra.Command, _ []string, o checkOptions) error {
		return runCheck(cmd.Context(), s, o)
	})
	return cmd
}

func runCheck(ctx context.Context, s streams, o checkOptions) error {
	failOn, err := parseFailOn(o.FailOn)
	if err != nil {
		return usageError("--fail-on: %w", err)
	}
	if err := report.CheckFormat(o.Format); err != nil {
		return usageError("--format: %w", err)
	}
	if o.Snapshot != "" {
		if filepath.Clean(o.ProcRoot) != "/proc" {
			return usageError("--snapshot and --proc-root both name what to audit: give one")
		}
		root, cleanup, err := openSnapshot(o.Snapshot)
		if err != nil {
			return usageError("%w", err)
		}
		defer cleanup()
		o.ProcRoot = root
	}
	cfg, err := loadProfile(o.Profile, o.ProfileFiles, o.Config, time.Now())
	if err != nil {
		return usageError("%w", err)
	}
	drift, err := loadDriftConfig(o.ProcRoot, o.SysctlRoot)
	if err != nil {
		return usageError("%w", err)
	}
	engine := rules.NewEngine()
	facts, err := gatherFacts(ctx, s, audit.Options{ProcRoot: o.ProcRoot, Keys: drift.keys(engine.Keys())}, o.Sampling)
	if err != nil {
		return err
	}
	facts = drift.attach(facts)
	res := engine.Evaluate(facts, cfg)
	color := s.tty && !o.NoColor && os.Getenv("NO_COLOR") == "" && o.Output == ""
	ro := report.Options{Color: color, Hostname: hostname(o.ProcRoot), Version: version}
	if err := writeReport(s.out, o.Output, o.Format, res, ro); err != nil {
		return &codeError{code: exitError, err: err}
	}
	if failOn > 0 && res.Worst() >= failOn {
		return &codeError{code: exitFindings}
	}
	return nil
}

// parseFailOn returns 0 for "never".
func parseFailOn(s string) (rules.Severity, error) {
	if s == "never" {
		return 0, nil
	}
	return rules.ParseSeverity(s)
}
