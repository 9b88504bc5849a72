package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// hostileNetns creates a network namespace named name with ip(8) (the test
// is skipped without root or ip) and deletes it when the test ends.
func hostileNetns(t *testing.T, name string) string {
	t.Helper()
	ip := netnsPrereqs(t)
	if out, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("ip netns add %q: %v: %s", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(ip, "netns", "delete", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns delete %q: %v: %s", name, err, out)
		}
	})
	return ip
}

// TestNetnsNameNewlineEscaped: a namespace named with a newline and a tab
// cannot forge a line of `check --netns` or `sockets --all-netns`: the
// name is printed as one line with \n and \t visible.
func TestNetnsNameNewlineEscaped(t *testing.T) {
	name := "nu-nl\nfake: line\tx"
	ip := hostileNetns(t, name)
	nsRun(t, ip, name, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout=120")
	for _, args := range [][]string{
		{"check", "--netns", name, "--no-color"},
		{"sockets", "--all-netns", "--no-color"},
	} {
		_, out, errOut := runCLI(t, args...)
		if !strings.Contains(out, `nu-nl\nfake: line\tx`) {
			t.Errorf("%s: want the name escaped as nu-nl\\nfake: line\\tx in:\n%s%s", args[0], out, errOut)
		}
		for _, l := range strings.Split(out+errOut, "\n") {
			if strings.HasPrefix(l, "fake: line") || strings.ContainsRune(l, '\t') {
				t.Errorf("%s: the name broke a line: %q", args[0], l)
			}
		}
	}
}

// TestPrometheusHostileNetns: `check --netns NAME --format prometheus` of
// a namespace whose name holds ESC and BEL exposes it escaped, and the
// exposition parses with expfmt.
func TestPrometheusHostileNetns(t *testing.T) {
	name := "nu-e\x1b[32mx\a"
	ip := hostileNetns(t, name)
	nsRun(t, ip, name, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout=120")
	_, out, errOut := runCLI(t, "check", "--netns", name, "--format", "prometheus")
	if strings.ContainsAny(out+errOut, "\x1b\a") {
		t.Errorf("raw control characters:\n%q", out+errOut)
	}
	if !strings.Contains(out, `name="nu-e\\x1b[32mx\\x07"`) {
		t.Errorf(`want name="nu-e\\x1b[32mx\\x07" in:\n%s`, out)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	if _, err := p.TextToMetricFamilies(strings.NewReader(out)); err != nil {
		t.Errorf("expfmt: %v", err)
	}
}
