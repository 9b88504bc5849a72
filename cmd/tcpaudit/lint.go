package main

import (
	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/lint"
	"github.com/tcpaudit/tcpaudit/pipeline"
)

// lintOptions are the settings of `tcpaudit lint` (it has no
// --sysctl-root: the files it lints are the configuration).
type lintOptions struct {
	auditOptions  `mapstructure:",squash"`
	reportOptions `mapstructure:",squash"`
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
	addProfileFlags(cmd.Flags())
	cmd.Flags().String("proc-root", "/proc", "directory that mirrors /proc: keys are looked up under its sys/")
	addReportFlags(cmd)
	cmd.RunE = withOptions(func(_ *cobra.Command, args []string, o lintOptions) error {
		return runLint(s, o, args)
	})
	return cmd
}

func runLint(s streams, o lintOptions, args []string) error {
	failOn, err := o.reportOptions.validate()
	if err != nil {
		return err
	}
	cfg, err := pipeline.Profile(o.pipeline())
	if err != nil {
		return err
	}
	tree, err := lint.Load(args)
	if err != nil {
		return err
	}
	return o.emit(s, lint.Run(tree, lint.Options{Profile: cfg, ProcRoot: o.ProcRoot}), "", failOn)
}
