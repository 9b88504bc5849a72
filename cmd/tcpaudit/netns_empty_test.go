package main

import (
	"strings"
	"testing"
)

// TestNetnsEmpty: --netns "" is refused (exit 2, "empty") instead of
// auditing the host.
func TestNetnsEmpty(t *testing.T) {
	for _, cmd := range []string{"check", "sockets", "fix", "watch"} {
		code, _, errOut := runCLI(t, cmd, "--netns", "")
		if code != exitError || !strings.Contains(errOut, "empty") {
			t.Errorf("%s --netns \"\": exit %d, want 2 and \"empty\":\n%s", cmd, code, errOut)
		}
	}
}
