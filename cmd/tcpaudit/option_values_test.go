package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestOptionValueErrors: a bad option value in the configuration file or
// in a TCPAUDIT_* variable exits 2 with one line that names the file and
// line, or the variable, and says what the option takes; the same option
// on the command line wins over the bad value.
func TestOptionValueErrors(t *testing.T) {
	host := hardeningHost(t, "hardening-pass")
	dir := isolateConfig(t)
	cases := []struct {
		name, config, env, value, want string
		flag                           []string
	}{
		{name: "number in config", config: "samples: abc\n", want: `config %s:2: samples: "abc" is not a number`, flag: []string{"--samples", "1"}},
		{name: "duration in config", config: "interval: 5x\n", want: `config %s:2: interval: "5x" is not a duration such as 500ms, 30s or 5m`, flag: []string{"--interval", "1s"}},
		{name: "bool in config", config: "no-color: maybe\n", want: `config %s:2: no-color: "maybe" is not true or false`, flag: []string{"--no-color"}},
		{name: "list for a number", config: "samples:\n  - 1\n  - 2\n", want: `config %s:3: samples: "[1 2]" is not a number`, flag: []string{"--samples", "1"}},
		{name: "number in environment", env: "TCPAUDIT_SAMPLES", value: "abc", want: `environment TCPAUDIT_SAMPLES: "abc" is not a number`, flag: []string{"--samples", "1"}},
		{name: "severity in environment", env: "TCPAUDIT_FAIL_ON", value: "bogus", want: `environment TCPAUDIT_FAIL_ON: --fail-on: unknown value "bogus" (want info, warning, critical or never)`, flag: []string{"--fail-on", "never"}},
		{name: "format in config", config: "format: yaml\n", want: `config %s:2: format: --format: unknown format "yaml" (want text, json, junit, sarif, prometheus, markdown)`, flag: []string{"--format", "text"}},
		// Values whose error comes from the run, not from their decoding.
		{name: "profile in config", config: "profile: strict\n", want: `config %s:2: profile: unknown profile "strict"`, flag: []string{"--profile", "baseline"}},
		{name: "samples in environment", env: "TCPAUDIT_SAMPLES", value: "0", want: `environment TCPAUDIT_SAMPLES: --samples 0: want 1 or more`, flag: []string{"--samples", "1"}},
		{name: "profile file in config", config: "profile-file: [/nonexistent-tcpaudit.yaml]\n", want: `config %s:2: profile-file: `, flag: []string{"--profile-file", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := writeConfig(t, dir, ".tcpaudit.yaml", "proc-root: "+host+"\n"+c.config)
			if c.env != "" {
				t.Setenv(c.env, c.value)
			}
			want := c.want
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, ".tcpaudit.yaml")
			}
			args := []string{"check", "--fail-on", "never"}
			if c.env == "TCPAUDIT_FAIL_ON" {
				args = args[:1]
			}
			code, _, stderr := runCLI(t, args...)
			if code != exitError || !strings.HasPrefix(stderr, "tcpaudit: "+want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
			}
			if code, _, stderr := runCLI(t, append([]string{"check", "--fail-on", "never"}, c.flag...)...); code != exitOK {
				t.Errorf("with %v on the command line: exit %d, %s (%s)", c.flag, code, stderr, cfg)
			}
		})
	}
}
