package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/config"
)

// testOptions are the option keys the tests allow.
var testOptions = []string{"fail-on", "interval", "profile", "profile-file", "proc-root"}

// write writes a file under dir and returns its path.
func write(t *testing.T, dir, name, text string) string {
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

// TestRead: options, rule overrides and waivers are read from one file.
func TestRead(t *testing.T) {
	path := write(t, t.TempDir(), "c.yaml", `profile: hardened
interval: 5s
profile-file: [a.yaml, b.yaml]
rules:
  fin-timeout:
    severity: info
    params: {max: 30}
waivers:
  - rule: syncookies-disabled
    reason: lab, ticket NET-9
    expires: 2030-01-31
`)
	f, err := config.Read(path, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	wantOptions := map[string]any{"profile": "hardened", "interval": "5s", "profile-file": []any{"a.yaml", "b.yaml"}}
	if d := cmp.Diff(wantOptions, f.Options); d != "" {
		t.Errorf("options (-want +got):\n%s", d)
	}
	o := f.Overrides.Rules["fin-timeout"]
	if max, ok := o.Params["max"]; o.Severity != "info" || !ok || max.Value != "30" {
		t.Errorf("override %+v, want severity info and max 30", o)
	}
	if len(f.Waivers) != 1 {
		t.Fatalf("waivers %+v, want 1", f.Waivers)
	}
	w := f.Waivers[0]
	if w.Rule != "syncookies-disabled" || w.Source != path+":9" || !w.Expires.Equal(time.Date(2030, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("waiver %+v", w)
	}
}

// TestReadErrors: each error names the file and line.
func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{"profile: hardened\nfail_on: never\n", `c.yaml:2: unknown key "fail_on" (want rules, waivers or an option: fail-on, interval, proc-root, profile, profile-file)`},
		{"- a\n", "c.yaml:1: want a mapping of options, rules and waivers"},
		{"rules: [1]\n", "c.yaml:1: rules: want a mapping of rule IDs"},
		{"rules:\n  no-such-rule: {}\n", `c.yaml:2: rules: unknown rule "no-such-rule"`},
		{"rules:\n  fin-timeout:\n    sevrity: info\n", `c.yaml:3: rule fin-timeout: unknown key "sevrity" (want enabled, severity, params)`},
		{"rules:\n  fin-timeout:\n    severity: loud\n", "c.yaml:3: rule fin-timeout"},
		{"waivers: {}\n", "c.yaml:1: waivers: want a list of {rule, reason, expires}"},
		{"waivers:\n  - rule: nope\n    reason: x\n    expires: 2030-01-01\n", `c.yaml:2: waiver: unknown rule "nope"`},
		{"waivers:\n  - rule: fin-timeout\n    reason: x\n    expires: 31/12/2026\n", `c.yaml:2: waiver: expires "31/12/2026"`},
		{"waivers:\n  - rule: fin-timeout\n    expires: 2026-12-31\n", "c.yaml:2: waiver: reason is required"},
		{"waivers:\n  - rule: fin-timeout\n    reason: x\n    until: 2026-12-31\n", `c.yaml:4: waiver: unknown key "until"`},
		{"profile: [\n", "c.yaml: yaml:"},
		{"fail-on: info\nprofile: web-server\nfail-on: never\n", `c.yaml:3: "fail-on" is already set at line 1`},
		{"rules:\n  fin-timeout: {}\n  fin-timeout: {}\n", `c.yaml:3: "fin-timeout" is already set at line 2`},
		{"rules:\n  fin-timeout:\n    severity: info\n    severity: critical\n", `c.yaml:4: "severity" is already set at line 3`},
	} {
		path := write(t, dir, "c.yaml", c.text)
		_, err := config.Read(path, testOptions)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
	}
}

// TestLoad: an explicit file must exist; otherwise ./.tcpaudit.yaml wins
// over $XDG_CONFIG_HOME/tcpaudit/config.yaml, and no file is no error.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	if f, err := config.Load("", testOptions); err != nil || (f != nil && !strings.HasPrefix(f.Path, "/etc/")) {
		t.Errorf("no file: %+v, %v", f, err)
	}
	if _, err := config.Load(filepath.Join(dir, "missing.yaml"), testOptions); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing explicit file: %v", err)
	}
	xdg := write(t, dir, "xdg/tcpaudit/config.yaml", "profile: baseline\n")
	if f, err := config.Load("", testOptions); err != nil || f.Path != xdg {
		t.Errorf("XDG file: %+v, %v", f, err)
	}
	write(t, dir, ".tcpaudit.yaml", "profile: hardened\n")
	f, err := config.Load("", testOptions)
	if err != nil || f.Path != ".tcpaudit.yaml" || f.Options["profile"] != "hardened" {
		t.Errorf("./.tcpaudit.yaml: %+v, %v", f, err)
	}
}
