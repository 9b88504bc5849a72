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
	Config        string               `json:"config,omitempty"`
	Summary       Summary              `json:"summary"`
	Findings      []rules.Finding      `json:"findings"`
	Rules         []rules.Evaluation   `json:"rules"`
	Sockets       *rules.Sockets       `json:"sockets"`
	Sources       []rules.SourceStatus `json:"sources"`
	Notes         []string             `json:"notes"`
	Ephemeral     []rules.EphemeralUse `json:"ephemeral"`
	// Namespaces is present when several network namespaces were audited.
	Namespaces []rules.Namespace `json:"namespaces,omitempty"`
}

// Write renders res as one indented JSON document.
func (JSON) Write(w io.Writer, res rules.Result) error {
	r := jsonReport{
		SchemaVersion: SchemaVersion,
		Profile:       res.Profile,
		Kernel:        res.Kernel,
		Config:        res.Config,
		Summary:       Summarize(res),
		Findings:      res.Findings,
		Rules:         res.Evaluations,
		Sockets:       res.Sockets,
		Sources:       res.Sources,
		Notes:         res.Notes,
		Ephemeral:     res.Ephemeral,
		Namespaces:    res.Namespaces,
	}
	if r.Findings == nil {
		r.Findings = []rules.Finding{}
	}
	if r.Notes == nil {
		r.Notes = []string{}
	}
	if r.Ephemeral == nil {
		r.Ephemeral = []rules.EphemeralUse{}
	}
	if r.Rules == nil {
		r.Rules = []rules.Evaluation{}
	}
	if r.Sources == nil {
		r.Sources = []rules.SourceStatus{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
