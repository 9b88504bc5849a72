package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/tcpaudit/tcpaudit/internal/visible"
)

// Exit codes: the CI contract.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// errFindings reports findings at or above --fail-on: exit code 1, and no
// message (the report is the message). Every other error exits 2.
var errFindings = errors.New("findings at or above --fail-on")

// streams are the command's output and its terminal facts.
type streams struct {
	out, err io.Writer
	// tty is true when out is a terminal (colour, progress).
	tty bool
}

// color reports whether output is coloured: on a terminal, unless
// --no-color (noColor), NO_COLOR or TERM=dumb (a terminal that shows
// escape sequences as they are) says otherwise.
func (s streams) color(noColor bool) bool {
	return s.tty && !noColor && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// run executes the CLI and returns the exit code; main only exits with it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s := streams{out: stdout, err: stderr, tty: isTerminal(stdout)}
	root := newRootCmd(s)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	switch err := root.ExecuteContext(ctx); {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	default:
		fmt.Fprintf(stderr, "tcpaudit: %s\n", errorText(err))
		return exitError
	}
}

// errorText is err for a terminal: the errors it joins one per line, each
// escaped (visible.Message, which leaves what a Quote in it escaped as it
// is) so that a name or path it quotes, or the text of an os error about
// one, shows control characters, newlines included, instead of sending
// them.
func errorText(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var lines []string
		for _, e := range j.Unwrap() {
			if l := errorText(e); !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	return visible.Message(err.Error())
}

func newRootCmd(s streams) *cobra.Command {
	root := command("tcpaudit", help("tcpaudit"), nil, nil)
	root.SilenceUsage, root.SilenceErrors, root.Version = true, true, toolVersion()
	root.SetVersionTemplate("tcpaudit {{.Version}}\n") // as `tcpaudit version` prints it
	root.PersistentFlags().String("config", "", "configuration file (default: the first of ./.tcpaudit.yaml, $XDG_CONFIG_HOME/tcpaudit/config.yaml, /etc/tcpaudit/config.yaml)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see %s --help)", err, c.CommandPath())
	})
	root.AddCommand(newCheckCmd(s), newRulesCmd(s), newVersionCmd(s))
	root.AddCommand(newConfCmd(s), newLintCmd(s), newFixCmd(s))
	root.AddCommand(newSocketsCmd(s), newTuneCmd(s))
	root.AddCommand(newExplainCmd(s), newProfilesCmd(s))
	root.AddCommand(newServeCmd(s), newSnapshotCmd(s), newCompletionCmd(s), newManCmd(s))
	root.AddCommand(newWatchCmd(s))
	addCompletions(root)
	return root
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
