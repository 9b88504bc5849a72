package main

import (
	"encoding/xml"
	"path/filepath"
	"testing"
)

// TestJUnitHonoursFailOn: the failures of the JUnit report are the
// findings that set the exit code.
func TestJUnitHonoursFailOn(t *testing.T) {
	host := filepath.Join(hostsDir, "misconfigured")
	for _, c := range []struct {
		failOn   string
		code     int
		failures bool
	}{
		{"info", exitFindings, true},
		{"critical", exitOK, false},
		{"never", exitOK, false},
	} {
		code, out, stderr := runCLI(t, "check", "--format", "junit", "--fail-on", c.failOn, "--proc-root", host)
		var suite struct {
			Failures int `xml:"failures,attr"`
		}
		if err := xml.Unmarshal([]byte(out), &suite); err != nil {
			t.Fatalf("--fail-on %s: %v (stderr %q)", c.failOn, err, stderr)
		}
		if code != c.code || (suite.Failures > 0) != c.failures {
			t.Errorf("--fail-on %s: exit %d with %d failures, want exit %d, failures %v", c.failOn, code, suite.Failures, c.code, c.failures)
		}
	}
}
