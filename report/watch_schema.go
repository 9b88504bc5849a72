package report

import _ "embed"

// WatchJSONSchema is the JSON Schema (draft 2020-12) of `tcpaudit watch
// --format json` at SchemaVersion, documented in docs/json-output.md. Its
// findings refer to JSONSchema's ($ref report.v1.schema.json): a validator
// needs both.
//
//go:embed schema/watch.v1.schema.json
var WatchJSONSchema []byte
