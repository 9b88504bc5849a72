package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// sarifLog is the part of a SARIF log these tests read.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Version string `json:"version"`
				Rules   []struct {
					ID              string `json:"id"`
					FullDescription struct {
						Text string `json:"text"`
					} `json:"fullDescription"`
					Help struct {
						Text     string `json:"text"`
						Markdown string `json:"markdown"`
					} `json:"help"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name string `json:"name"`
				} `json:"logicalLocations"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func readSARIF(t *testing.T, out string) sarifLog {
	t.Helper()
	validateSARIF(t, out)
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("not a SARIF log with one run (%v):\n%s", err, out)
	}
	return log
}

// TestCheckSARIFPhysicalLocation: a check finding whose fix sets a key the
// sysctl.d tree sets points at that file and line, which must exist and
// set the key; the keys stay logical locations too. Every file location of
// check (runtime-config-drift's too) is a file under --sysctl-root.
func TestCheckSARIFPhysicalLocation(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "lint", "bad")
	_, out, _ := runCLI(t, "check", "--format", "sarif", "--proc-root", filepath.Join(hostsDir, "misconfigured"), "--sysctl-root", root)
	log := readSARIF(t, out)
	located := 0
	for _, r := range log.Runs[0].Results {
		l := r.Locations[0]
		if l.PhysicalLocation == nil {
			continue
		}
		file := l.PhysicalLocation.ArtifactLocation.URI
		if !strings.HasPrefix(file, root) {
			t.Errorf("%s: location %s is not under the sysctl root %s", r.RuleID, file, root)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v", r.RuleID, err)
		}
		lines := strings.Split(string(b), "\n")
		n := l.PhysicalLocation.Region.StartLine
		if n < 1 || n > len(lines) {
			t.Fatalf("%s: line %d of %s does not exist", r.RuleID, n, file)
		}
		if len(l.LogicalLocations) == 0 {
			continue
		}
		located++
		names := false
		for _, k := range l.LogicalLocations {
			names = names || strings.Contains(lines[n-1], k.Name)
		}
		if !names {
			t.Errorf("%s: %s:%d is %q, which sets none of %v", r.RuleID, file, n, lines[n-1], l.LogicalLocations)
		}
	}
	if located == 0 {
		t.Errorf("no check result points at the sysctl.d line that sets its key:\n%s", out)
	}
}

// TestCheckSARIFLogicalOnlyWithoutTree: without a sysctl.d tree the keys
// are logical locations only.
func TestCheckSARIFLogicalOnlyWithoutTree(t *testing.T) {
	_, out, _ := runCLI(t, "check", "--format", "sarif", "--proc-root", filepath.Join(hostsDir, "misconfigured"))
	for _, r := range readSARIF(t, out).Runs[0].Results {
		if l := r.Locations[0]; l.PhysicalLocation != nil {
			t.Errorf("%s: physical location %+v without a sysctl.d tree", r.RuleID, *l.PhysicalLocation)
		}
	}
}

// TestLintSARIFRuleHelp: every lint rule carries a full description and
// help, which code scanning rules (GH2012) require.
func TestLintSARIFRuleHelp(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "lint", "bad")
	_, out, _ := runCLI(t, "lint", "--format", "sarif", "--proc-root", t.TempDir(), root)
	driver := readSARIF(t, out).Runs[0].Tool.Driver
	if len(driver.Rules) == 0 {
		t.Fatal("no rules")
	}
	for _, r := range driver.Rules {
		if r.FullDescription.Text == "" || r.Help.Text == "" || r.Help.Markdown == "" {
			t.Errorf("%s: fullDescription %q, help %q / %q", r.ID, r.FullDescription.Text, r.Help.Text, r.Help.Markdown)
		}
	}
	if driver.Version != toolVersion() {
		t.Errorf("driver version %q, want %q", driver.Version, toolVersion())
	}
}

// TestVersionFromBuildInfo: a binary built by `go install module@version`
// reports that version; one built with -ldflags keeps the ldflags value;
// a development build reports dev.
func TestVersionFromBuildInfo(t *testing.T) {
	installed, err := debug.ParseBuildInfo("go\tgo1.26.8\npath\tgithub.com/tcpaudit/tcpaudit/cmd/tcpaudit\nmod\tgithub.com/tcpaudit/tcpaudit\tv1.4.0\th1:abc=\n")
	if err != nil {
		t.Fatal(err)
	}
	devel, err := debug.ParseBuildInfo("go\tgo1.26.8\npath\tgithub.com/tcpaudit/tcpaudit/cmd/tcpaudit\nmod\tgithub.com/tcpaudit/tcpaudit\t(devel)\t\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ldflags string
		info    *debug.BuildInfo
		ok      bool
		want    string
	}{
		{"dev", installed, true, "v1.4.0"},
		{"1.5.0", installed, true, "1.5.0"},
		{"dev", devel, true, "dev"},
		{"dev", nil, false, "dev"},
	} {
		if got := versionOf(c.ldflags, c.info, c.ok); got != c.want {
			t.Errorf("versionOf(%q, %v) = %q, want %q", c.ldflags, c.info != nil && c.info.Main.Version != "", got, c.want)
		}
	}
}

// TestLintSARIF: code scanning needs each result's file and line.
func TestLintSARIF(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "lint", "bad")
	_, out, _ := runCLI(t, "lint", "--format", "sarif", "--proc-root", t.TempDir(), root)
	log := readSARIF(t, out)
	if log.Version != "2.1.0" || len(log.Runs[0].Results) == 0 {
		t.Fatalf("version %q, %d results", log.Version, len(log.Runs[0].Results))
	}
	const want = "../../testdata/lint/bad/etc/sysctl.d/50-bad.conf"
	found := false
	for _, r := range log.Runs[0].Results {
		pl := r.Locations[0].PhysicalLocation
		if pl == nil || pl.ArtifactLocation.URI == "" {
			t.Errorf("%s: no artifact location", r.RuleID)
			continue
		}
		if r.RuleID == "lint-removed-key" {
			found = pl.ArtifactLocation.URI == want && pl.Region.StartLine == 2
		}
	}
	if !found {
		t.Errorf("no lint-removed-key result at %s:2\n%s", want, out)
	}
}
