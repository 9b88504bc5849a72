package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Exit codes: the CI contract.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries an exit code through cobra's RunE.
type codeError struct {
	code int
	err  error // nil when the code is not a failure to report
}

func (e *codeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *codeError) Unwrap() error { return e.err }

// streams are the command's output and its terminal facts.
type streams struct {
	out, err io.Writer
	// tty is true when out is a terminal (colour, progress).
	tty bool
}

// run executes the CLI and returns the exit code; main only exits with it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := streams{out: stdout, err: stderr, tty: isTerminal(stdout)}
	root := newRootCmd(s)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ce *codeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			fmt.Fprintf(stderr, "tcpaudit: %v\n", ce.err)
		}
		return ce.code
	}
	// Flag parsing and unknown commands: usage errors.
	fmt.Fprintf(stderr, "tcpaudit: %v\n", err)
	return exitError
}

func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "tcpaudit",
		Short: "Audit a Linux host's TCP connection lifecycle and network sysctls",
		Long: "tcpaudit reads socket states (over netlink sock_diag on the live host, from\n" +
			"/proc/net/tcp and tcp6 otherwise), network sysctls and kernel counters,\n" +
			"evaluates them against a profile and explains each finding\n" +
			"with its fix: a sysctl value when a sysctl is the fix, the owning process when\n" +
			"the application is.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.PersistentFlags().String("config", "", "configuration file (default: the first of ./.tcpaudit.yaml, $XDG_CONFIG_HOME/tcpaudit/config.yaml, /etc/tcpaudit/config.yaml)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &codeError{code: exitError, err: fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.AddCommand(newCheckCmd(s), newRulesCmd(s), newVersionCmd(s))
	root.AddCommand(newConfCmd(s), newLintCmd(s), newFixCmd(s))
	root.AddCommand(newSocketsCmd(s))
	root.AddCommand(newExplainCmd(s), newProfilesCmd(s))
	root.AddCommand(newServeCmd(s), newSnapshotCmd(s), newCompletionCmd(s), newManCmd(s))
	return root
}

// bindFlags binds a command's flags to a fresh viper instance with
// TCPAUDIT_* environment variables (flags win over the environment).
func bindFlags(flags *pflag.FlagSet) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("TCPAUDIT")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindPFlags(flags); err != nil {
		return nil, fmt.Errorf("bind flags: %w", err)
	}
	// The configuration file sits below the environment and the flags.
	if err := loadConfigFile(v); err != nil {
		return nil, err
	}
	return v, nil
}

// withOptions returns a RunE that binds the command's flags (with the
// environment and the configuration file below them), decodes them into the
// command's options struct O and calls run.
func withOptions[O any](run func(cmd *cobra.Command, args []string, o O) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		v, err := bindFlags(cmd.Flags())
		if err != nil {
			return &codeError{code: exitError, err: err}
		}
		var o O
		if err := v.Unmarshal(&o); err != nil {
			return usageError("options: %w", err)
		}
		return run(cmd, args, o)
	}
}

func usageError(format string, args ...any) error {
	return &codeError{code: exitError, err: fmt.Errorf(format, args...)}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
