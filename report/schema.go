package report

import _ "embed"

// JSONSchema is the JSON Schema (draft 2020-12) of the json format at
// SchemaVersion, documented in docs/json-output.md.
//
//go:embed schema/report.v1.schema.json
var JSONSchema []byte
