package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// parseCommandLine resolves a tcpaudit command line (without the program
// name) to its command and parses its flags, as running it would.
func parseCommandLine(t *testing.T, where string, args []string) {
	t.Helper()
	root := newRootCmd(streams{out: os.Stdout, err: os.Stderr})
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		t.Errorf("%s: %v does not name a command: %v", where, args, err)
		return
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("%s: %v: %v", where, args, err)
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		t.Errorf("%s: %v: %v", where, args, err)
	}
}

// TestDeployCommandLines checks that the command lines in deploy/ use
// commands and flags tcpaudit has.
func TestDeployCommandLines(t *testing.T) {
	units, _ := filepath.Glob("../../deploy/*/*.service")
	crons, _ := filepath.Glob("../../deploy/*/cron.example")
	if len(units) < 2 || len(crons) < 1 {
		t.Fatalf("deploy/ lacks the systemd units or the cron example: %v %v", units, crons)
	}
	for _, file := range append(units, crons...) {
		for _, line := range execLines(t, file) {
			fields := strings.Fields(line)
			for i, f := range fields {
				if strings.HasSuffix(f, "/tcpaudit") {
					parseCommandLine(t, file, fields[i+1:])
				}
			}
		}
	}
	var ds struct {
		Spec struct {
			Template struct {
				Spec struct {
					HostNetwork bool `yaml:"hostNetwork"`
					Containers  []struct {
						Args []string `yaml:"args"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	b, err := os.ReadFile("../../deploy/kubernetes/daemonset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &ds); err != nil {
		t.Fatalf("daemonset.yaml: %v", err)
	}
	pod := ds.Spec.Template.Spec
	if !pod.HostNetwork || len(pod.Containers) != 1 {
		t.Fatalf("daemonset.yaml: hostNetwork %v, %d containers", pod.HostNetwork, len(pod.Containers))
	}
	parseCommandLine(t, "daemonset.yaml", pod.Containers[0].Args)
}

// execLines returns the lines of a unit or crontab that run tcpaudit.
func execLines(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "#") && strings.Contains(line, "/tcpaudit ") {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		t.Errorf("%s runs no tcpaudit command", file)
	}
	return out
}

// TestSystemdUnitsVerify runs systemd-analyze verify, systemd's own unit
// checker, on the units in deploy/, with ExecStart pointing at an existing
// executable; any warning fails the test.
func TestSystemdUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (Debian package systemd): cannot verify the units")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	units, _ := filepath.Glob("../../deploy/*/*.service")
	timers, _ := filepath.Glob("../../deploy/*/*.timer")
	dir := t.TempDir()
	var files []string
	for _, u := range append(units, timers...) {
		b, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(u))
		if err := os.WriteFile(dst, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/tcpaudit", self)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, dst)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(analyze, append([]string{"verify"}, files...)...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, stderr.String())
	}
}

// TestSystemdUnitsSecurity rates the sandbox of each service in deploy/
// with systemd-analyze security (offline): at most 3.0, "OK".
func TestSystemdUnitsSecurity(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (Debian package systemd): cannot rate the units")
	}
	units, _ := filepath.Glob("../../deploy/*/*.service")
	for _, u := range units {
		out, err := exec.Command(analyze, "security", "--offline=yes", "--no-pager", u).CombinedOutput()
		if err != nil {
			t.Fatalf("systemd-analyze security %s: %v\n%s", u, err, out)
		}
		_, level, found := strings.Cut(string(out), "Overall exposure level for ")
		var unit string
		var score float64
		if _, err := fmt.Sscanf(level, "%s %f", &unit, &score); !found || err != nil {
			t.Fatalf("systemd-analyze security %s: no overall exposure level:\n%s", u, out)
		}
		if score > 3.0 {
			t.Errorf("%s: exposure %.1f, want at most 3.0:\n%s", filepath.Base(u), score, out)
		}
	}
}
