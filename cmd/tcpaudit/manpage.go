package main

// Man pages written from the command tree, in roff: one page a command.
// cobra's doc package renders through a Markdown library whose package
// initialiser builds a table of 2,000 HTML entities, half a MiB of every
// command's peak memory whatever it runs (docs/benchmarks.md); the pages
// need none of it.

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// manHeader is what the .TH line of every page says.
type manHeader struct {
	Title, Section, Source, Manual string
}

// manCommands returns cmd and the commands under it that have a page:
// available ones, help topics excepted.
func manCommands(cmd *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{cmd}
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			out = append(out, manCommands(c)...)
		}
	}
	return out
}

// manName is the page's name: the command's path, dashed.
func manName(cmd *cobra.Command) string {
	return strings.ReplaceAll(cmd.CommandPath(), " ", "-")
}

// writeManPages writes a page for each command of the tree under root into
// dir, named <name>.<section>, and returns how many.
func writeManPages(root *cobra.Command, h manHeader, dir string) (int, error) {
	cmds := manCommands(root)
	for _, c := range cmds {
		path := filepath.Join(dir, manName(c)+"."+h.Section)
		if err := os.WriteFile(path, manPage(c, h), 0o644); err != nil {
			return 0, err
		}
	}
	return len(cmds), nil
}

// manPage renders one command's page.
func manPage(cmd *cobra.Command, h manHeader) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, ".nh\n.TH %s %s \"\" %s %s\n", manQuote(h.Title), manQuote(h.Section), manQuote(h.Source), manQuote(h.Manual))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roffText(manName(cmd)), roffText(cmd.Short))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n", roffText(cmd.UseLine()))
	b.WriteString(".SH DESCRIPTION\n")
	manProse(&b, cmp.Or(cmd.Long, cmd.Short))
	if fs := cmd.NonInheritedFlags(); fs.HasAvailableFlags() {
		b.WriteString(".SH OPTIONS\n")
		manFlags(&b, fs)
	}
	if fs := cmd.InheritedFlags(); fs.HasAvailableFlags() {
		b.WriteString(".SH OPTIONS INHERITED FROM PARENT COMMANDS\n")
		manFlags(&b, fs)
	}
	if cmd.Example != "" {
		b.WriteString(".SH EXAMPLE\n.PP\n.RS\n.nf\n")
		for _, l := range strings.Split(strings.Trim(cmd.Example, "\n"), "\n") {
			b.WriteString(roffLine(l) + "\n")
		}
		b.WriteString(".fi\n.RE\n")
	}
	var see []string
	if cmd.HasParent() {
		see = append(see, manName(cmd.Parent()))
	}
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			see = append(see, manName(c))
		}
	}
	if len(see) > 0 {
		b.WriteString(".SH SEE ALSO\n")
		for i, name := range see {
			sep := ","
			if i == len(see)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "\\fB%s\\fP(%s)%s\n", roffText(name), h.Section, sep)
		}
	}
	return b.Bytes()
}

// manProse renders text: paragraphs apart at blank lines, filled; a
// paragraph whose lines are indented (a list, a command) as it is.
func manProse(b *bytes.Buffer, text string) {
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		lines := strings.Split(strings.Trim(para, "\n"), "\n")
		indented := slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") })
		if indented {
			b.WriteString(".PP\n.RS\n.nf\n")
		} else {
			b.WriteString(".PP\n")
		}
		for _, l := range lines {
			b.WriteString(roffLine(l) + "\n")
		}
		if indented {
			b.WriteString(".fi\n.RE\n")
		}
	}
}

// manFlags lists the visible flags of fs.
func manFlags(b *bytes.Buffer, fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		b.WriteString(".TP\n")
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			fmt.Fprintf(b, "\\fB\\-%s\\fP, ", roffText(f.Shorthand))
		}
		fmt.Fprintf(b, "\\fB\\-\\-%s\\fP", roffText(f.Name))
		name, usage := pflag.UnquoteUsage(f)
		if name != "" {
			fmt.Fprintf(b, " \\fI%s\\fP", roffText(name))
		}
		b.WriteString("\n" + roffLine(usage))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "0" {
			fmt.Fprintf(b, " (default %s)", roffText(f.DefValue))
		}
		b.WriteString("\n")
	})
}

// roffText escapes text for roff: the backslash, the hyphen-minus, which
// roff would set as a hyphen, and characters beyond ASCII, which roff reads
// as Latin-1 unless told otherwise (as Unicode escapes).
func roffText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\e`)
		case r == '-':
			b.WriteString(`\-`)
		case r >= 0x80:
			fmt.Fprintf(&b, `\[u%04X]`, r)
		case r < 0x20 && r != '\t' || r == 0x7f: // no control character in a page
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// roffLine is roffText for a whole input line: one starting with a
// control character (a dot or an apostrophe) is text, not a request.
func roffLine(s string) string {
	s = roffText(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// manQuote is a quoted argument of a request.
func manQuote(s string) string {
	return `"` + strings.ReplaceAll(roffText(s), `"`, `\(dq`) + `"`
}
