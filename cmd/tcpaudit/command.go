package main

import (
	"embed"
	"strings"

	"github.com/spf13/cobra"
)

// helpTexts hold the help of every command: help/NAME.txt for the command
// NAME (help/conf-show.txt for `conf show`) holds its one-line summary,
// then, after a blank line, its long text if it has one.
//
//go:embed help/*.txt
var helpTexts embed.FS

// helpText is the help of a command: a one-line summary and a long text.
type helpText struct{ short, long string }

// help returns the help of the command name. The files are compiled in, so
// a missing one is a mistake in the source and panics.
func help(name string) helpText {
	b, err := helpTexts.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic(err)
	}
	short, long, _ := strings.Cut(strings.TrimSuffix(string(b), "\n"), "\n")
	return helpText{short: short, long: strings.TrimPrefix(long, "\n")}
}

// command returns a command with its usage line, its help, the positional
// arguments it takes and what it does.
func command(use string, h helpText, args cobra.PositionalArgs, run func(*cobra.Command, []string) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: h.short, Long: h.long, Args: args, RunE: run}
}
