package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigPlantedRefused: a ./.tcpaudit.yaml owned by another user, or
// one writable by others, is refused with an error naming it (exit 2); the
// same file owned by root is used and named in every report.
func TestConfigPlantedRefused(t *testing.T) {
	_, cfg := plantConfig(t, "hardening-pass", ".tcpaudit.yaml")
	if err := os.Chown(cfg, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "check")
	if code != exitError || !strings.Contains(errOut, ".tcpaudit.yaml") || !strings.Contains(errOut, "refused") {
		t.Errorf("config owned by nobody: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if err := os.Chown(cfg, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfg, 0o666); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "check"); code != exitError || !strings.Contains(errOut, "writable") {
		t.Errorf("config writable by others: exit %d, %q", code, errOut)
	}
	if err := os.Chmod(cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "check")
	if first, _, _ := strings.Cut(out, "\n"); code != 0 || !strings.HasSuffix(first, "config "+cfg) {
		t.Errorf("config owned by root: exit %d, header %q, stderr %q", code, first, errOut)
	}
	for _, format := range []string{"json", "markdown", "prometheus", "junit", "sarif"} {
		if _, out, _ := runCLI(t, "check", "--format", format); !strings.Contains(out, ".tcpaudit.yaml") {
			t.Errorf("--format %s does not name the config in use:\n%s", format, out)
		}
	}
	_, out, _ = runCLI(t, "check", "--format", "json")
	var r struct{ Config string }
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Config != cfg {
		t.Errorf("json config %q (%v)", r.Config, err)
	}
}

// TestConfigCannotWrite: output: and write: in a configuration file, and
// TCPAUDIT_OUTPUT / TCPAUDIT_WRITE, are refused unless the flag is on the
// command line; nothing is written.
func TestConfigCannotWrite(t *testing.T) {
	host := hardeningHost(t, "hardening-fail")
	dir := isolateConfig(t)
	target := filepath.Join(dir, "victim")
	cases := []struct {
		name, config string
		env          [2]string
		args         []string
	}{
		{"output from config", "output: " + target + "\n", [2]string{}, []string{"check"}},
		{"write from config", "write: " + target + "\n", [2]string{}, []string{"fix"}},
		{"output from env", "", [2]string{"TCPAUDIT_OUTPUT", target}, []string{"check"}},
		{"write from env", "", [2]string{"TCPAUDIT_WRITE", target}, []string{"fix"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			writeConfig(t, dir, ".tcpaudit.yaml", c.config+"proc-root: "+host+"\n")
			if c.env[0] != "" {
				t.Setenv(c.env[0], c.env[1])
			}
			code, _, errOut := runCLI(t, c.args...)
			if code != exitError || !strings.Contains(errOut, "command line") {
				t.Errorf("exit %d, stderr %q; want 2 and a refusal", code, errOut)
			}
			if _, err := os.Lstat(target); err == nil {
				t.Errorf("%s was written", target)
			}
		})
	}
	writeConfig(t, dir, ".tcpaudit.yaml", "output: "+target+"\nproc-root: "+host+"\n")
	if code, _, errOut := runCLI(t, "check", "--fail-on", "never", "--output", target); code != 0 {
		t.Errorf("--output on the command line: exit %d, %s", code, errOut)
	}
}

// TestConfigPlantedLinkRefused: a ./.tcpaudit.yaml symlink in a 0777
// directory owned by nobody, to a root-owned 0644 file, is refused (exit
// 2) with an error naming the directory; the audit does not run with it.
func TestConfigPlantedLinkRefused(t *testing.T) {
	host := hardeningHost(t, "hardening-fail")
	dir, target := plantConfig(t, "hardening-fail", "root-owned/config.yaml")
	pub := filepath.Join(dir, "pub")
	if err := os.Mkdir(pub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(pub, ".tcpaudit.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(pub, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(pub, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pub)
	code, out, errOut := runCLI(t, "check", "--proc-root", host)
	if code != exitError || out != "" || !strings.Contains(errOut, "refused: directory "+pub+" is owned by uid 65534") {
		t.Errorf("exit %d, stdout %.60q, stderr %q; want 2 naming %s", code, out, errOut, pub)
	}
}

// plantConfig (as root) writes a configuration file at name in a fresh
// working directory, for the fixture host, and returns the directory and
// the file.
func plantConfig(t *testing.T, host, name string) (dir, file string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("chown to another user needs root")
	}
	proc := hardeningHost(t, host) // before isolateConfig changes directory
	dir = isolateConfig(t)
	return dir, writeConfig(t, dir, name, "fail-on: never\nproc-root: "+proc+"\n")
}
