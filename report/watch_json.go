package report

import (
	"encoding/json"
	"io"

	"github.com/tcpaudit/tcpaudit/watch"
)

// WatchJSON writes the report of `tcpaudit watch --format json`: the
// watch.Report document, with the schema version of the other reports.
type WatchJSON struct{}

// Write renders r as indented JSON.
func (WatchJSON) Write(w io.Writer, r watch.Report) error {
	doc := struct {
		SchemaVersion int `json:"schema_version"`
		watch.Report
	}{SchemaVersion: SchemaVersion, Report: r}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
