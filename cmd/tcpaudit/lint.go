package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	named := len(args) > 0
	if !named {
		args = []string{"/"} // the tree this host applies at boot
	}
	tree, err := lint.Load(args)
	if err != nil {
		return err
	}
	// Paths the user named that hold no configuration are a mistyped
	// root or directory, not a clean configuration: a gate must not pass.
	if named && tree.Empty() {
		return fmt.Errorf("lint: no sysctl configuration in %s: want *.conf files, or a root holding etc/sysctl.d, run/sysctl.d, usr/lib/sysctl.d or etc/sysctl.conf", strings.Join(args, ", "))
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
