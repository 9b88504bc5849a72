package report

import (
	"encoding/json"
	"io"

	"github.com/tcpaudit/tcpaudit/rules"
)

// JSON writes the machine-readable report described in docs/json-output.md.
type JSON struct{}

type jsonReport struct {
	SchemaVersion int                  `json:"schema_version"`
	Profile       string               `json:"profile"`
	Kernel        string               `json:"kernel"`
	Summary       Summary              `json:"summary"`
	Findings      []rules.Finding      `json:"findings"`
	Rules         []rules.Evaluation   `json:"rules"`
	Sockets       *rules.Sockets       `json:"sockets"`
	Sources       []rules.SourceStatus `json:"sources"`
	Notes         []string             `json:"notes"`
}

// Write renders res as one indented JSON document.
func (JSON) Write(w io.Writer, res rules.Result) error {
	r := jsonReport{
		SchemaVersion: SchemaVersion,
		Profile:       res.Profile,
		Kernel:        res.Kernel,
		Summary:       Summarize(res),
		Findings:      res.Findings,
		Rules:         res.Evaluations,
		Sockets:       res.Sockets,
		Sources:       res.Sources,
		Notes:         res.Notes,
	}
	if r.Findings == nil {
		r.Findings = []rules.Finding{}
	}
	if r.Notes == nil {
		r.Notes = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
