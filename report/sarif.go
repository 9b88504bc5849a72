package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/lint"
	"github.com/tcpaudit/tcpaudit/rules"
)

// SARIF writes a SARIF 2.1.0 log with one run. Findings about a file (lint)
// carry a physical location (file and line); findings about the live host
// carry a logical location: the sysctl keys of the fix, or the rule on the
// host when no sysctl is the fix. When the sysctl.d tree sets a key of the
// fix, the file and line that set it are the finding's physical location
// too, which code scanning services require.
type SARIF struct {
	// Version is tcpaudit's version, the driver's version.
	Version string
	// Hostname qualifies logical locations ("web-1/net.ipv4.tcp_syncookies").
	Hostname string
	// Configured maps sysctl keys to the file (as on the host) and line
	// that set them; nil when no sysctl.d tree was resolved.
	Configured map[string]audit.Setting
	// Root is the root of the sysctl.d tree: file locations, which name
	// files as on the host, are given under it ("" or "/" leaves them).
	Root string
}

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	toolURI      = "https://github.com/tcpaudit/tcpaudit"
)

// Write renders res.
func (s SARIF) Write(w io.Writer, res rules.Result) error {
	ruleList, index := sarifRules(res)
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: "tcpaudit", Version: s.Version, InformationURI: toolURI, Rules: ruleList}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     []sarifResult{},
		Properties:  map[string]any{"profile": res.Profile},
	}
	if res.Kernel != "" {
		run.Properties["kernel"] = res.Kernel
	}
	if res.Config != "" {
		run.Properties["config"] = res.Config
	}
	for _, n := range res.Notes {
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications,
			sarifNotification{Level: "warning", Message: sarifText{Text: Escape(n)}})
	}
	names := namespaceNames(res)
	for _, f := range res.Findings {
		run.Results = append(run.Results, s.inNamespace(s.result(f, index[f.Rule]), f, names))
	}
	run.Properties = escaped(run.Properties)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// result is the SARIF result of f: its text escaped (Escape), its
// fingerprint and locations from f as it is.
func (s SARIF) result(raw rules.Finding, ruleIndex int) sarifResult {
	f := escaped(raw)
	msg := f.Title + ": " + f.Observed
	if f.Expected != "" {
		msg += " (expected " + f.Expected + ")"
	}
	if f.Fix.Advice != "" {
		msg += ". " + f.Fix.Advice
	}
	r := sarifResult{
		RuleID:    f.Rule,
		RuleIndex: ruleIndex,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{Text: msg},
		Locations: []sarifLocation{s.location(raw)},
		PartialFingerprints: map[string]string{
			"tcpaudit/v1": fingerprint(raw),
		},
		Properties: map[string]any{"severity": f.Severity.String()},
	}
	if len(f.Fix.Sysctl) > 0 {
		r.Properties["sysctl"] = f.Fix.Sysctl
	}
	if len(f.Evidence) > 0 {
		r.Properties["evidence"] = f.Evidence
	}
	if len(f.Subjects) > 0 {
		r.Properties["subjects"] = f.Subjects
	}
	if f.Waived != "" {
		r.Suppressions = []sarifSuppression{{Kind: "external", Justification: f.Waived}}
	}
	return r
}

// location is the file and line of a file-based finding, else the sysctl
// keys of the fix, else the rule, on the host.
func (s SARIF) location(f rules.Finding) sarifLocation {
	if f.Location != nil {
		return sarifLocation{PhysicalLocation: s.physical(f.Location.File, f.Location.Line)}
	}
	var l sarifLocation
	for _, k := range slices.Sorted(maps.Keys(f.Fix.Sysctl)) {
		if set, ok := s.Configured[k]; ok && set.File != "" && l.PhysicalLocation == nil {
			l.PhysicalLocation = s.physical(set.File, set.Line)
		}
		l.LogicalLocations = append(l.LogicalLocations, sarifLogical{Name: Escape(k), FullyQualifiedName: s.Hostname + "/" + segment(k), Kind: "variable"})
	}
	if len(l.LogicalLocations) == 0 {
		l.LogicalLocations = []sarifLogical{{Name: Escape(f.Rule), FullyQualifiedName: s.Hostname + "/" + segment(f.Rule), Kind: "resource"}}
	}
	return l
}

// physical is the location of a line of a file (line 0: the whole file),
// under Root.
func (s SARIF) physical(file string, line int) *sarifPhysical {
	if s.Root != "" {
		file = filepath.Join(s.Root, file)
	}
	p := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(file)}}
	if line > 0 {
		p.Region = &sarifRegion{StartLine: line}
	}
	return p
}

// sarifRules lists every rule that was evaluated or has findings, with the
// index of each ID; rules of the catalog and lint checks carry their
// description and help.
func sarifRules(res rules.Result) ([]sarifRule, map[string]int) {
	catalog := make(map[string]rules.Rule)
	for _, r := range rules.Catalog() {
		catalog[r.ID] = r
	}
	for _, c := range lint.Checks() {
		catalog[c.Rule.ID] = c.Rule
	}
	index := make(map[string]int)
	var out []sarifRule
	add := func(id, title, category string) {
		if _, ok := index[id]; ok {
			return
		}
		r := sarifRule{ID: id, Name: camel(id), ShortDescription: sarifText{Text: title}}
		if c, ok := catalog[id]; ok {
			r.FullDescription = &sarifText{Text: c.Explanation}
			r.Help = ruleHelp(c)
			r.DefaultConfiguration = &sarifConfig{Level: sarifLevel(c.Severity)}
			category = c.Category
		}
		if category != "" {
			r.Properties = map[string]any{"category": category, "tags": []string{category}}
		}
		index[id] = len(out)
		out = append(out, r)
	}
	for _, e := range res.Evaluations {
		add(e.Rule, e.Title, e.Category)
	}
	for _, f := range res.Findings {
		add(f.Rule, f.Title, "")
	}
	if out == nil {
		out = []sarifRule{}
	}
	return out, index
}

func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return "error"
	case rules.Warning:
		return "warning"
	}
	return "note"
}

// fileURI makes an absolute path a file URI and leaves a relative path
// relative, with forward slashes.
func fileURI(p string) string {
	p = filepath.ToSlash(p)
	if strings.HasPrefix(p, "/") {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// fingerprint identifies a finding across runs: its rule, title and location,
// not its observed values.
func fingerprint(f rules.Finding) string {
	parts := []string{f.Rule, f.Title}
	if f.Namespace != "" {
		parts = append(parts, f.Namespace)
	}
	if f.Location != nil {
		parts = append(parts, f.Location.File)
	}
	keys := make([]string, 0, len(f.Fix.Sysctl))
	for k := range f.Fix.Sysctl {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts = append(parts, keys...)
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// camel turns a rule ID into the PascalCase name SARIF viewers show.
func camel(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// ruleHelp is the explanation and the references of a catalog rule.
func ruleHelp(r rules.Rule) *sarifHelp {
	text, md := r.Explanation, htmlEscape(r.Explanation)
	if len(r.References) > 0 {
		text += "\n\nReferences:\n- " + strings.Join(r.References, "\n- ")
		md += "\n\n**References**\n"
		for _, ref := range r.References {
			md += "\n- " + htmlEscape(ref)
		}
	}
	return &sarifHelp{Text: text, Markdown: md}
}
