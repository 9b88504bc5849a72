package profiles_test

import (
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/profiles"
)

// TestUserProfileByName loads a --profile-file profile by the name it
// declares, extending a built-in one.
func TestUserProfileByName(t *testing.T) {
	dir := t.TempDir()
	file := writeProfile(t, dir, "some-file-name", `name: edge-proxy
description: our proxies
extends: [web-server]
rules:
  fin-timeout:
    params: {max: 10}
  syncookies-disabled:
    enabled: false
  tw-reuse:
    severity: critical
`)
	cfg := mustLoad(t, "edge-proxy", file)
	if cfg.Profile != "edge-proxy" {
		t.Errorf("profile = %q", cfg.Profile)
	}
	if got := cfg.Rules["fin-timeout"].Params.Int("max"); got != 10 {
		t.Errorf("fin-timeout max = %d, want 10", got)
	}
	if got := cfg.Rules["somaxconn-low"].Params.Int("min"); got != 4096 {
		t.Errorf("somaxconn-low min = %d, want 4096 from web-server", got)
	}
	if cfg.Rules["syncookies-disabled"].Enabled {
		t.Error("syncookies-disabled still enabled")
	}
	if !cfg.Rules["fin-timeout"].Enabled {
		t.Error("fin-timeout disabled")
	}
	if got := cfg.Rules["tw-reuse"].Severity.String(); got != "critical" {
		t.Errorf("tw-reuse severity = %s, want critical", got)
	}
	// A user file named like a built-in profile shadows it.
	shadow := writeProfile(t, dir, "baseline", "name: baseline\nrules:\n  fin-timeout:\n    params: {max: 5}\n")
	if got := mustLoad(t, "baseline", shadow).Rules["fin-timeout"].Params.Int("max"); got != 5 {
		t.Errorf("shadowed baseline fin-timeout max = %d, want 5", got)
	}
	if _, ok := mustLoad(t, "baseline", shadow).Rules["somaxconn-low"]; ok {
		t.Error("shadowed baseline still has the built-in rules")
	}
}

// TestProfileErrors checks that each mistake in a user profile is an error
// naming the profile, and the line where YAML gives one.
func TestProfileErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string // substrings of the message
	}{
		{"unknown-rule", "extends: baseline\nrules:\n  close-wait-acumulation: {}\n",
			[]string{"unknown-rule", `unknown-rule.yaml:3): unknown rule "close-wait-acumulation"`}},
		{"unknown-param", "extends: baseline\nrules:\n  fin-timeout:\n    params: {max: 30, maxx: 3}\n",
			[]string{"unknown-param", "fin-timeout", "line 4", `unknown parameter "maxx"`}},
		{"wrong-type", "extends: baseline\nrules:\n  fin-timeout:\n    params:\n      max: sixty\n",
			[]string{"wrong-type", "fin-timeout", "line 5", "parameter max"}},
		{"wrong-list-type", "extends: baseline\nrules:\n  tw-reuse:\n    params: {accepted: 1}\n",
			[]string{"wrong-list-type", "tw-reuse", "line 4", "parameter accepted"}},
		{"unknown-field", "name: unknown-field\nextend: baseline\n",
			[]string{`unknown-field.yaml:2: unknown key "extend"`}},
		{"unknown-rule-field", "extends: baseline\nrules:\n  fin-timeout:\n    parms: {max: 30}\n",
			[]string{`unknown-rule-field.yaml:4: unknown key "parms"`}},
		{"bad-severity", "extends: baseline\nrules:\n  fin-timeout:\n    severity: fatal\n",
			[]string{"bad-severity", "fin-timeout", "fatal"}},
		{"bad-severity-param", "extends: baseline\nrules:\n  somaxconn-low:\n    params: {below_default: severe}\n",
			[]string{"bad-severity-param", "somaxconn-low", "line 4", "parameter below_default", `unknown severity "severe"`}},
		{"missing-param", "rules:\n  fin-timeout: {}\n",
			[]string{"missing-param", "fin-timeout", `missing parameter "max"`}},
		{"not-yaml", "rules: [\n", []string{"not-yaml.yaml:1: "}},
		{"empty", "", []string{"empty", "empty file"}},
		{"unknown-parent", "extends: no-such-base\n", []string{"unknown-parent", "no-such-base"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeProfile(t, t.TempDir(), tt.name, tt.body)
			_, err := profiles.Load(tt.name, file)
			if err == nil {
				t.Fatal("want an error")
			}
			t.Log(err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestExtendsCycle rejects a cycle through user profiles, naming its path.
func TestExtendsCycle(t *testing.T) {
	dir := t.TempDir()
	a := writeProfile(t, dir, "a", "name: a\nextends: b\n")
	b := writeProfile(t, dir, "b", "name: b\nextends: [baseline, c]\n")
	c := writeProfile(t, dir, "c", "name: c\nextends: a\n")
	self := writeProfile(t, dir, "self", "name: self\nextends: self\n")
	for spec, want := range map[string]string{"a": "a -> b -> c -> a", "self": "self -> self"} {
		_, err := profiles.Load(spec, a, b, c, self)
		if err == nil || !strings.Contains(err.Error(), "extends cycle") || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%s): err = %v, want an extends cycle %s", spec, err, want)
		}
	}
	// A diamond (two parents sharing baseline) is not a cycle.
	d := writeProfile(t, dir, "d", "name: d\nextends: [web-server, client-heavy]\n")
	if _, err := profiles.Load("d", d); err != nil {
		t.Errorf("diamond: %v", err)
	}
}

// TestMissingProfileFile names the file.
func TestMissingProfileFile(t *testing.T) {
	_, err := profiles.Load("x", "/nonexistent/x.yaml")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/x.yaml") {
		t.Errorf("err = %v, want it to name the file", err)
	}
}
