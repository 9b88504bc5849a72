package main

import (
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestHelpFiles: every command has a help file and every help file a
// command; each file is a one-line summary, then, after one blank line, the
// long text if there is one, and ends in a single newline.
func TestHelpFiles(t *testing.T) {
	var commands []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		name := strings.ReplaceAll(strings.TrimPrefix(c.CommandPath(), "tcpaudit "), " ", "-")
		commands = append(commands, name)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(streams{out: io.Discard, err: io.Discard}))
	files, err := fs.Glob(helpTexts, "help/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, f := range files {
		named = append(named, strings.TrimSuffix(path.Base(f), ".txt"))
		b, _ := fs.ReadFile(helpTexts, f)
		lines := strings.Split(string(b), "\n")
		if n := len(lines); lines[0] == "" || lines[n-1] != "" || lines[n-2] == "" ||
			n > 2 && (lines[1] != "" || lines[2] == "") {
			t.Errorf("%s: want a summary line, then a blank line and the long text, and one final newline:\n%s", f, b)
		}
	}
	slices.Sort(commands)
	slices.Sort(named)
	if d := cmp.Diff(commands, named); d != "" {
		t.Errorf("commands (-) and help files (+) differ:\n%s", d)
	}
}

// TestFlagValueNames: pflag shows a `quoted` word of a flag's usage as the
// name of its value in --help, so a quoted word is a value name (no space,
// no dash), and a flag that takes no value (a bool) quotes nothing.
func TestFlagValueNames(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			quoted := strings.Count(f.Usage, "`") >= 2
			if quoted && (f.Value.Type() == "bool" || strings.ContainsAny(name, " -")) {
				t.Errorf("%s --%s: --help shows %q as its value: %q", c.CommandPath(), f.Name, name, f.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(streams{out: io.Discard, err: io.Discard}))
}

// TestLimitMemory: the commands that run once get the soft memory limit,
// but snapshot, whose list of descriptors grows with the sockets it
// copies, and the long-running serve and watch keep the runtime's default.
func TestLimitMemory(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT is set: it overrides the limit")
	}
	orig := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(orig)
	for _, tc := range []struct {
		args  []string
		limit int64
	}{
		{[]string{"check", "--format", "json"}, shortRunMemory},
		{[]string{"snapshot", "--all-netns", "x.tar.gz"}, math.MaxInt64},
		{[]string{"serve"}, math.MaxInt64},
		{[]string{"watch", "--duration", "1s"}, math.MaxInt64},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		limitMemory(tc.args)
		if got := debug.SetMemoryLimit(-1); got != tc.limit {
			t.Errorf("%v: memory limit %d, want %d", tc.args, got, tc.limit)
		}
	}
}
