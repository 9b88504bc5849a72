package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hardeningHost is the absolute path of a fixture host of the hardening
// rules; call it before isolateConfig changes the directory.
func hardeningHost(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "rules", "testdata", "hosts", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeConfig writes a configuration file into dir and returns its path.
func writeConfig(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// isolateConfig keeps the developer's own configuration files out of a test.
func isolateConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	t.Setenv("TCPAUDIT_PROFILE", "")
	os.Unsetenv("TCPAUDIT_PROFILE")
	return dir
}

func profileOf(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"check", "--fail-on", "never"}, args...)...)
	if code != 0 {
		t.Fatalf("check %v: exit %d: %s", args, code, errOut)
	}
	first, _, _ := strings.Cut(out, "\n")
	_, after, _ := strings.Cut(first, "profile ")
	name, _, _ := strings.Cut(after, ",")
	return name
}

// TestConfigPrecedence: the file sets a value, the environment overrides
// it, a flag overrides both.
func TestConfigPrecedence(t *testing.T) {
	host := hardeningHost(t, "hardening-pass")
	dir := isolateConfig(t)
	cfg := writeConfig(t, dir, "c.yaml", "profile: hardened\nproc-root: "+host+"\n")
	if got := profileOf(t, "--config", cfg); got != "hardened" {
		t.Errorf("file: profile %q, want hardened", got)
	}
	t.Setenv("TCPAUDIT_PROFILE", "high-throughput")
	if got := profileOf(t, "--config", cfg); got != "high-throughput" {
		t.Errorf("file < env: profile %q, want high-throughput", got)
	}
	if got := profileOf(t, "--config", cfg, "--profile", "kubernetes-node"); got != "kubernetes-node" {
		t.Errorf("env < flag: profile %q, want kubernetes-node", got)
	}
	t.Setenv("TCPAUDIT_CONFIG", cfg)
	if got := profileOf(t, "--profile", "baseline"); got != "baseline" {
		t.Errorf("TCPAUDIT_CONFIG with a flag: profile %q, want baseline", got)
	}
}

// TestConfigDiscovery: ./.tcpaudit.yaml wins over
// $XDG_CONFIG_HOME/tcpaudit/config.yaml, which is used when it is alone.
func TestConfigDiscovery(t *testing.T) {
	host := hardeningHost(t, "hardening-pass")
	dir := isolateConfig(t)
	writeConfig(t, dir, "xdg/tcpaudit/config.yaml", "profile: high-throughput\nproc-root: "+host+"\n")
	if got := profileOf(t); got != "high-throughput" {
		t.Errorf("XDG config: profile %q, want high-throughput", got)
	}
	writeConfig(t, dir, ".tcpaudit.yaml", "profile: hardened\nproc-root: "+host+"\n")
	if got := profileOf(t); got != "hardened" {
		t.Errorf("./.tcpaudit.yaml: profile %q, want hardened", got)
	}
	if code, _, errOut := runCLI(t, "check", "--config", filepath.Join(dir, "missing.yaml")); code != exitError || !strings.Contains(errOut, "missing.yaml") {
		t.Errorf("missing --config file: exit %d, %q", code, errOut)
	}
}

// TestConfigErrors: unknown keys and bad values are usage errors naming
// the file and line.
func TestConfigErrors(t *testing.T) {
	host := hardeningHost(t, "hardening-pass")
	dir := isolateConfig(t)
	for _, c := range []struct{ text, want string }{
		{"profile: hardened\nfail_on: never\n", "c.yaml:2: unknown key \"fail_on\""},
		{"rules:\n  no-such-rule: {}\n", "c.yaml:2: rules: unknown rule \"no-such-rule\""},
		{"rules:\n  fin-timeout:\n    sevrity: info\n", "c.yaml:3: rule fin-timeout: unknown key \"sevrity\""},
		{"rules:\n  fin-timeout:\n    severity: loud\n", "c.yaml:3: rule fin-timeout"},
		{"rules:\n  fin-timeout:\n    params: {maxx: 3}\n", "line 3: unknown parameter \"maxx\""},
		{"waivers:\n  - rule: fin-timeout\n    reason: x\n    expires: 31/12/2026\n", "c.yaml:2: waiver: expires \"31/12/2026\""},
		{"waivers:\n  - rule: fin-timeout\n    expires: 2026-12-31\n", "c.yaml:2: waiver: reason is required"},
		{"waivers:\n  - rule: fin-timeout\n    reason: x\n    until: 2026-12-31\n", "c.yaml:4: waiver: unknown key \"until\""},
	} {
		cfg := writeConfig(t, dir, "c.yaml", c.text)
		code, _, errOut := runCLI(t, "check", "--config", cfg, "--proc-root", host)
		if code != exitError || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q, want exit 2 and %q", c.text, code, errOut, c.want)
		}
	}
}

// TestConfigRulesAndWaivers: per-rule overrides apply after the profiles;
// a current waiver marks findings waived and they no longer fail the run;
// an expired one warns and waives nothing.
func TestConfigRulesAndWaivers(t *testing.T) {
	host := hardeningHost(t, "hardening-fail")
	dir := isolateConfig(t)
	cfg := writeConfig(t, dir, "c.yaml", `profile: baseline
rules:
  syncookies-disabled:
    enabled: false
  icmp-bogus-errors-logged:
    severity: critical
waivers:
  - rule: icmp-echo-broadcasts-answered
    reason: lab network, ticket NET-9
    expires: 2999-12-31
  - rule: ipv4-source-route-accepted
    reason: old test
    expires: 2001-01-01
`)
	code, out, errOut := runCLI(t, "check", "--config", cfg, "--proc-root", host, "--fail-on", "critical")
	if code != exitFindings {
		t.Fatalf("exit %d (%s), want 1 for the critical override", code, errOut)
	}
	for _, want := range []string{
		"CRITICAL (1)", "icmp-bogus-errors-logged",
		"waived    until 2999-12-31: lab network, ticket NET-9",
		"The waiver for ipv4-source-route-accepted expired on 2001-01-01",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "syncookies-disabled ") {
		t.Errorf("disabled rule reported:\n%s", out)
	}
}
