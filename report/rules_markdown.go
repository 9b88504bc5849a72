package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/profiles"
	"github.com/tcpaudit/tcpaudit/rules"
)

// RulesMarkdown writes the reference of every catalog rule as Markdown, one
// "## ID" section a rule in catalog order: title, category and severity,
// what it reads, its explanation, its parameters, how each built-in profile
// runs it and its sources. docs/rules.md is generated from it, so the rule
// documentation is the rule's own text; citations of docs/kernel-facts.md
// become links relative to docs/.
func RulesMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, r := range rules.Catalog() {
		rows, err := profileRows(r)
		if err != nil {
			return err
		}
		ew.printf("## %s\n\n", r.ID)
		ew.printf("%s. Category %s, default severity %s.\n", r.Title, r.Category, r.Severity)
		if s := readsLine(r); s != "" {
			ew.printf("%s\n", s)
		}
		ew.printf("\n%s\n", wrap(escapeHTML(r.Explanation), "", ""))
		if len(r.Params) > 0 {
			ew.printf("\n| parameter | meaning |\n|---|---|\n")
			for _, p := range r.Params {
				ew.printf("| `%s` | %s |\n", p.Name, p.Doc)
			}
		}
		ew.printf("\n| profiles | severity | settings |\n|---|---|---|\n")
		for _, row := range rows {
			sev, params, _ := strings.Cut(row.setting, " ")
			if params != "" {
				params = "`" + params + "`"
			}
			ew.printf("| %s | %s | %s |\n", row.profiles, sev, params)
		}
		ew.printf("\nSources:\n\n")
		for _, ref := range r.References {
			ew.printf("- %s\n", linkKernelFacts(escapeHTML(ref)))
		}
		ew.printf("\n")
	}
	return ew.err
}

// readsLine says which sysctls and sources a rule reads.
func readsLine(r rules.Rule) string {
	var parts []string
	if len(r.Keys) > 0 {
		parts = append(parts, "Reads "+codeList(r.Keys))
	}
	if len(r.OptionalKeys) > 0 {
		parts = append(parts, "Reads where present "+codeList(r.OptionalKeys))
	}
	if len(r.Needs) > 0 {
		needs := make([]string, len(r.Needs))
		for i, s := range r.Needs {
			needs[i] = sourceName(s)
		}
		parts = append(parts, "Needs "+strings.Join(needs, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ". ") + "."
}

func sourceName(s audit.Source) string {
	switch s {
	case audit.SourceSockets:
		return "the socket census"
	case audit.SourceProcesses:
		return "process attribution"
	case audit.SourceConfig:
		return "a sysctl.d tree (`--sysctl-root`)"
	}
	return "`" + string(s) + "`"
}

func codeList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = "`" + k + "`"
	}
	return strings.Join(q, ", ")
}

// linkKernelFacts turns "docs/kernel-facts.md §N" in a reference into a
// link from docs/rules.md.
func linkKernelFacts(ref string) string {
	const doc = "docs/kernel-facts.md"
	return strings.Replace(ref, doc, "["+doc+"](kernel-facts.md)", 1)
}

// escapeHTML keeps "conf/<interface>" text: Markdown would take <interface>
// for an HTML tag.
func escapeHTML(s string) string { return strings.ReplaceAll(s, "<", `\<`) }

type profileRow struct{ profiles, setting string }

// profileRows groups the built-in profiles that run r the same way.
func profileRows(r rules.Rule) ([]profileRow, error) {
	var rows []profileRow
	for _, name := range profiles.Names() {
		cfg, err := profiles.Load(name)
		if err != nil {
			return nil, fmt.Errorf("rules reference: %w", err)
		}
		s := ruleSetting(r, cfg.Rules[r.ID])
		i := slices.IndexFunc(rows, func(row profileRow) bool { return row.setting == s })
		if i < 0 {
			rows = append(rows, profileRow{setting: s})
			i = len(rows) - 1
		}
		if rows[i].profiles != "" {
			rows[i].profiles += ", "
		}
		rows[i].profiles += "`" + name + "`"
	}
	return rows, nil
}
