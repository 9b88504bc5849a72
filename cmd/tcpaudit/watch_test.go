package main

import (
	"strings"
	"testing"
)

// TestWatchUsage: bad options exit 2 with a message naming the option.
func TestWatchUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--netns", "1", "--all-netns"}, "--netns and --all-netns"},
		{[]string{"--source", "ebpf"}, `--source "ebpf"`},
		{[]string{"--duration", "0s"}, "--duration 0s"},
		{[]string{"--top", "0"}, "--top 0"},
		{[]string{"--format", "sarif"}, `--format "sarif"`},
		{[]string{"--fail-on", "loud"}, "--fail-on"},
		{[]string{"--netns", "/nonexistent/netns", "--duration", "1ms"}, "/nonexistent/netns"},
	} {
		code, _, stderr := runCLI(t, append([]string{"watch"}, tc.args...)...)
		if code != exitError || !strings.Contains(stderr, tc.want) {
			t.Errorf("watch %v: exit %d, stderr %q: want exit 2 naming %s", tc.args, code, stderr, tc.want)
		}
	}
}
