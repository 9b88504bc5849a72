package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/tcpaudit/tcpaudit/lint"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/report"
)

// lintOptions are the settings of `tcpaudit lint` (it has no
// --sysctl-root: the files it lints are the configuration).
type lintOptions struct {
	auditOptions  `mapstructure:",squash"`
	reportOptions `mapstructure:",squash"`
}

func newLintCmd(s streams) *cobra.Command {
	cmd := command("lint [flags] [PATH...]", help("lint"), cobra.ArbitraryArgs, withOptions(s, runLint))
	addProfileFlags(cmd.Flags())
	cmd.Flags().Lookup("profile").Usage = "profiles whose expected values the files are checked against, comma-separated"
	cmd.Flags().String("proc-root", "/proc", "directory that mirrors /proc: keys are looked up under its sys/")
	addReportFlags(cmd)
	return cmd
}

func runLint(_ context.Context, s streams, args []string, o lintOptions) error {
	cfg, err := pipeline.Profile(o.pipeline())
	if err != nil {
		return err
	}
	if len(args) == 0 {
		args = []string{"/"} // the tree this host applies at boot
	}
	tree, err := lint.Load(args)
	if err != nil {
		return err
	}
	res := lint.Run(tree, lint.Options{Profile: cfg, ProcRoot: o.ProcRoot})
	res.Config = o.configPath()
	err = o.emit(s, res, report.Options{})
	// A file of the tree that could not be read is an input error: exit
	// 2 after the report, whatever --fail-on says, as conf show does.
	if err == nil || errors.Is(err, errFindings) {
		if bad := tree.Unreadable(); bad != nil {
			return bad
		}
	}
	return err
}
