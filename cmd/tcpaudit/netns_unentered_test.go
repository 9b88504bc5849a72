package main

import (
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestNetnsNotEnteredFails runs check and sockets --netns as nobody, who
// may not enter the namespace the test made: an audit that saw nothing
// exits 2 naming the namespace and the reason, in every format, and
// writes no report; as root the same commands audit it.
func TestNetnsNotEnteredFails(t *testing.T) {
	netnsPrereqs(t)
	_, bin := nobodyBinary(t)
	ns := nstest.New(t)
	for _, args := range [][]string{
		{"check", "--netns", ns},
		{"check", "--netns", ns, "--format", "json"},
		{"check", "--netns", ns, "--format", "junit", "--fail-on", "never"},
		{"sockets", "--netns", ns},
		{"sockets", "--netns", ns, "--format", "json"},
	} {
		code, out, errOut := runAsNobody(t, bin, args...)
		if code != exitError || out != "" || !strings.Contains(errOut, "network namespace "+ns) || !strings.Contains(errOut, "was not audited: permission denied") {
			t.Errorf("tcpaudit %s as nobody: exit %d, stdout %q, stderr %q; want exit 2, no report, the namespace and the reason", strings.Join(args, " "), code, out, errOut)
		}
	}
	for _, args := range [][]string{{"fix", "--netns", ns}, {"tune", "--netns", ns}} {
		code, out, errOut := runAsNobody(t, bin, args...)
		if code != exitError || out != "" || !strings.Contains(errOut, "setns needs CAP_SYS_ADMIN (run as root)") {
			t.Errorf("tcpaudit %s as nobody: exit %d, stdout %q, stderr %q; want exit 2 saying it needs root", strings.Join(args, " "), code, out, errOut)
		}
	}
	if code, _, errOut := runCLI(t, "sockets", "--netns", ns); code != exitOK {
		t.Errorf("sockets --netns %s as root: exit %d\n%s", ns, code, errOut)
	}
}
