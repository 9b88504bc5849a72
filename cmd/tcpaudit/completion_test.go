package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"
)

// complete runs cobra's hidden __complete command, as the shell scripts
// do, and returns the values offered and the directive.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	code, out, stderr := runCLI(t, append([]string{cobra.ShellCompRequestCmd}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d, %s", args, code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// TestCompletionValues: flags and arguments whose values tcpaudit knows
// complete to those values and never to file names.
func TestCompletionValues(t *testing.T) {
	noFiles := ":4" // cobra.ShellCompDirectiveNoFileComp
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"check", "--profile", "web"}, []string{"web-server"}},
		{[]string{"check", "--profile", "web-server,h"}, []string{"web-server,hardened", "web-server,high-throughput"}},
		{[]string{"serve", "--profile", "base"}, []string{"baseline"}},
		{[]string{"lint", "--profile", "kub"}, []string{"kubernetes-node"}},
		{[]string{"check", "--fail-on", ""}, []string{"info", "warning", "critical", "never"}},
		{[]string{"lint", "--fail-on", "n"}, []string{"never"}},
		{[]string{"check", "--source", ""}, []string{"auto", "netlink", "proc"}},
		{[]string{"serve", "--source", "n"}, []string{"netlink"}},
		{[]string{"sockets", "--by", ""}, []string{"state", "port", "remote", "process"}},
		{[]string{"sockets", "--state", "close"}, []string{"close", "close-wait"}},
		{[]string{"sockets", "--format", ""}, []string{"text", "json"}},
		{[]string{"lint", "--format", "s"}, []string{"sarif"}},
		{[]string{"check", "--format", "j"}, []string{"json", "junit"}},
		{[]string{"explain", "CLOSE_"}, []string{"CLOSE_WAIT"}},
		{[]string{"explain", "net.ipv4.tcp_fin"}, []string{"net.ipv4.tcp_fin_timeout"}},
		{[]string{"explain", "close-wait-acc"}, []string{"close-wait-accumulation"}},
		{[]string{"explain", "CLOSE_WAIT", ""}, nil},
		{[]string{"profiles", "show", "hard"}, []string{"hardened"}},
		{[]string{"profiles", "show", "baseline,client"}, []string{"baseline,client-heavy"}},
	} {
		got, directive := complete(t, c.args...)
		if d := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); d != "" || directive != noFiles {
			t.Errorf("complete %q: directive %s (want %s), values (-want +got):\n%s", c.args, directive, noFiles, d)
		}
	}
}

// TestCompletionProfileFile: names of profiles in --profile-file files are
// offered too, and directory flags complete directories.
func TestCompletionProfileFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "edge.yaml")
	if err := os.WriteFile(file, []byte("name: edge-proxy\ndescription: test\nextends: [baseline]\nrules: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _ := complete(t, "check", "--profile-file", file, "--profile", "edge")
	if d := cmp.Diff([]string{"edge-proxy"}, got); d != "" {
		t.Errorf("profile from --profile-file (-want +got):\n%s", d)
	}
	if _, directive := complete(t, "check", "--proc-root", ""); directive != ":16" {
		t.Errorf("--proc-root: directive %s, want :16 (directories)", directive)
	}
}
