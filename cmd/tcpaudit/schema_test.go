package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tcpaudit/tcpaudit/report"
)

func compile(t *testing.T, name string, doc []byte) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, v); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCLIOutputsMatchSchemas validates what the commands print, not only
// what the report package writes: lint's SARIF with file locations, check's
// SARIF and JSON on every fixture host.
func TestCLIOutputsMatchSchemas(t *testing.T) {
	sarifDoc, err := os.ReadFile("../../report/testdata/schemas/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[string]*jsonschema.Schema{
		"sarif": compile(t, "sarif.json", sarifDoc),
		"json":  compile(t, "report.v1.json", report.JSONSchema),
	}
	runs := [][]string{{"lint", "--format", "sarif", "../../testdata/lint/bad"}}
	hosts, _ := filepath.Glob(filepath.Join(hostsDir, "*", "net"))
	for _, h := range hosts {
		for _, format := range []string{"sarif", "json"} {
			runs = append(runs, []string{"check", "--format", format, "--proc-root", filepath.Dir(h)})
		}
	}
	if len(runs) < 10 {
		t.Fatalf("only %d fixture hosts found under %s", len(runs)/2, hostsDir)
	}
	for _, args := range runs {
		code, out, stderr := runCLI(t, args...)
		if code == exitError {
			t.Errorf("%v: exit 2: %s", args, stderr)
			continue
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(out)))
		if err != nil {
			t.Errorf("%v: not JSON: %v", args, err)
			continue
		}
		if err := schemas[args[2]].Validate(v); err != nil {
			t.Errorf("%v: output does not match the %s schema (a field added to the JSON output belongs in report/schema/report.v1.schema.json and docs/json-output.md too): %v", args, args[2], err)
		}
	}
}
