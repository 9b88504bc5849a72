package main

import (
	"strings"
	"testing"
)

// TestFailOnUnknown: an unknown --fail-on is exit 2 with a message naming
// every value, never included.
func TestFailOnUnknown(t *testing.T) {
	for _, cmd := range []string{"check", "watch"} {
		code, _, errOut := runCLI(t, cmd, "--fail-on", "bogus")
		if code != exitError || !strings.Contains(errOut, "want info, warning, critical or never") {
			t.Errorf("%s --fail-on bogus: exit %d, want 2 and every value named:\n%s", cmd, code, errOut)
		}
	}
}
