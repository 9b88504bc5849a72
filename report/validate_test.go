package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tcpaudit/tcpaudit/rules"
)

// compileSchema compiles a JSON Schema document, asserting formats.
func compileSchema(t *testing.T, name string, doc []byte) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, v); err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatalf("schema %s: %v", name, err)
	}
	return s
}

// validateJSON checks an output document against a schema.
func validateJSON(t *testing.T, s *jsonschema.Schema, out []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("output does not match the schema (a field added to the output belongs in report/schema/report.v1.schema.json and docs/json-output.md too): %v\n%s", err, out)
	}
}

// results are the results every validation test renders: every fixture
// host with the whole catalog, a file-based result and an empty one.
func results(t *testing.T) map[string]rules.Result {
	m := map[string]rules.Result{"file-based": fileResult(), "empty": {Profile: "baseline"}, "namespaces": namespacesResult(t)}
	hosts, _ := filepath.Glob(filepath.Join("..", "testdata", "hosts", "*", "net"))
	for _, h := range hosts {
		name := filepath.Base(filepath.Dir(h))
		m[name] = hostResult(t, name)
	}
	for _, h := range goldenHosts {
		if _, ok := m[h]; !ok {
			t.Fatalf("fixture host %s not found", h)
		}
	}
	return m
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "schemas", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := compileSchema(t, "sarif-schema-2.1.0.json", doc)
	for name, res := range results(t) {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := (SARIF{Version: "1.0", Hostname: "h"}).Write(&b, res); err != nil {
				t.Fatal(err)
			}
			validateJSON(t, s, b.Bytes())
		})
	}
}

func TestJSONValidatesAgainstSchema(t *testing.T) {
	s := compileSchema(t, "report.v1.schema.json", JSONSchema)
	for name, res := range results(t) {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := (JSON{}).Write(&b, res); err != nil {
				t.Fatal(err)
			}
			validateJSON(t, s, b.Bytes())
		})
	}
}

// TestJSONSchemaRejects makes sure the schema is not vacuous: documents that
// break the contract fail validation.
func TestJSONSchemaRejects(t *testing.T) {
	s := compileSchema(t, "report.v1.schema.json", JSONSchema)
	for name, doc := range map[string]string{
		"empty object":   `{}`,
		"wrong version":  `{"schema_version":2,"profile":"","kernel":"","summary":{"critical":0,"warning":0,"info":0,"waived":0,"passed":0,"failed":0,"skipped":0,"disabled":0},"findings":[],"rules":[],"sockets":null,"sources":[],"notes":[]}`,
		"bad severity":   `{"schema_version":1,"profile":"","kernel":"","summary":{"critical":0,"warning":0,"info":0,"waived":0,"passed":0,"failed":0,"skipped":0,"disabled":0},"findings":[{"rule":"r","severity":"fatal","title":"","observed":"","expected":"","explanation":"","fix":{}}],"rules":[],"sockets":null,"sources":[],"notes":[]}`,
		"unknown status": `{"schema_version":1,"profile":"","kernel":"","summary":{"critical":0,"warning":0,"info":0,"waived":0,"passed":0,"failed":0,"skipped":0,"disabled":0},"findings":[],"rules":[{"rule":"r","title":"","category":"","status":"maybe"}],"sockets":null,"sources":[],"notes":[]}`,
	} {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(doc)))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); err == nil {
			t.Errorf("%s: schema accepted %s", name, doc)
		}
	}
}

func TestJUnitValidatesAgainstXSD(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils): cannot validate against the JUnit XSD")
	}
	xsd := filepath.Join("testdata", "schemas", "junit.xsd")
	dir := t.TempDir()
	for name, res := range results(t) {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := (JUnit{Now: testOptions.Now, Hostname: "h"}).Write(&b, res); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, name+".xml")
			if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
			if err != nil {
				t.Errorf("xmllint --schema junit.xsd: %v\n%s\n%s", err, out, b.Bytes())
			}
		})
	}
}
