package report

import (
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// Markdown writes GitHub-flavoured Markdown for pull-request comments and CI
// job summaries: a status line, a table of findings, the details of each,
// skipped rules, notes and the socket census.
type Markdown struct{}

// Write renders res.
func (Markdown) Write(w io.Writer, res rules.Result) error {
	res = escaped(res)
	ew := &errWriter{w: w}
	title := "tcpaudit " + command(res) + ": profile " + codeSpan(res.Profile)
	if res.Kernel != "" {
		title += ", kernel " + inline(res.Kernel)
	}
	if res.Config != "" {
		title += ", config " + codeSpan(res.Config)
	}
	ew.printf("## %s\n\n", title)
	s := Summarize(res)
	status := "**OK**"
	if worst := res.Worst(); worst > 0 {
		status = "**" + strings.ToUpper(worst.String()) + "**"
	}
	ew.printf("%s: %d critical, %d warning, %d info", status, s.Critical, s.Warning, s.Info)
	if s.Waived > 0 {
		ew.printf(", %d waived", s.Waived)
	}
	ew.printf("; rules: %d passed, %d failed, %d skipped, %d disabled.\n", s.Passed, s.Failed, s.Skipped, s.Disabled)
	if len(res.Findings) > 0 {
		ew.printf("\n| severity | rule | finding | observed | fix |\n|---|---|---|---|---|\n")
		names := namespaceNames(res)
		for _, f := range res.Findings {
			sev := f.Severity.String()
			if f.Waived != "" {
				sev += " (waived)"
			}
			ew.printf("| %s | %s%s | %s | %s | %s |\n", sev, codeCell(f.Rule), inNamespace(f, names), inline(f.Title), inline(f.Observed), fixCell(f))
		}
		for _, f := range res.Findings {
			markdownDetails(ew, f, names)
		}
	}
	markdownTail(ew, res)
	if len(res.Namespaces) > 0 {
		ew.printf("\n%s.\n", inline(namespaceSummary(res.Namespaces)))
	}
	return ew.err
}

// inNamespace is " in NAME" for a finding about a namespace other than
// the host's (its name made safe for a table cell), "" for the host's.
func inNamespace(f rules.Finding, names map[string]string) string {
	if f.Namespace == "" {
		return ""
	}
	return " in " + inline(namespaceOf(f, names))
}

// namespaceOf is the name of the namespace f is about (its ID when
// unnamed); f must be about one other than the host's.
func namespaceOf(f rules.Finding, names map[string]string) string {
	if name := names[f.Namespace]; name != "" {
		return name
	}
	return f.Namespace
}

// markdownDetails writes the details of f; names names the namespaces of
// findings about one other than the host's, which the summary says.
func markdownDetails(ew *errWriter, f rules.Finding, names map[string]string) {
	in := ""
	if f.Namespace != "" {
		in = " in " + htmlEscape(namespaceOf(f, names))
	}
	ew.printf("\n<details><summary><code>%s</code>%s: %s</summary>\n\n", htmlEscape(f.Rule), in, htmlEscape(f.Title))
	if f.Location != nil {
		ew.printf("- **location:** %s\n", codeSpan(locationString(f.Location)))
	}
	if f.Waived != "" {
		ew.printf("- **waived:** %s\n", inline(f.Waived))
	}
	ew.printf("- **observed:** %s\n- **expected:** %s\n- **why:** %s\n", inline(f.Observed), inline(f.Expected), inline(f.Explanation))
	if f.Fix.Advice != "" {
		ew.printf("- **fix:** %s\n", inline(f.Fix.Advice))
	}
	for _, o := range f.Fix.Processes {
		ew.printf("- **process:** pid %d (%s) holds %d sockets\n", o.PID, codeSpan(o.Command), o.Sockets)
	}
	if len(f.Fix.Sysctl) > 0 {
		var ini strings.Builder
		for _, k := range slices.Sorted(maps.Keys(f.Fix.Sysctl)) {
			ini.WriteString(k + " = " + f.Fix.Sysctl[k] + "\n")
		}
		if f.Namespace != "" {
			// Not a drop-in: /etc/sysctl.d is the host's.
			ew.printf("- **set inside the namespace,** not in the host's `/etc/sysctl.d`: `tcpaudit fix --netns` prints them in the form its owner keeps them (pod, container, `ip netns`)\n")
		}
		fence := codeFence(ini.String())
		ew.printf("\n%sini\n%s%s\n", fence, ini.String(), fence)
	}
	ew.printf("\n</details>\n")
}

func markdownTail(ew *errWriter, res rules.Result) {
	var skipped []rules.Evaluation
	for _, e := range res.Evaluations {
		if e.Status == rules.Skipped {
			skipped = append(skipped, e)
		}
	}
	if len(skipped) > 0 {
		ew.printf("\n### Skipped rules\n\n")
		for _, e := range skipped {
			ew.printf("- %s: %s\n", codeSpan(e.Rule), inline(e.Reason))
		}
	}
	if len(res.Notes) > 0 {
		ew.printf("\n### Notes\n\n")
		for _, n := range res.Notes {
			ew.printf("- %s\n", inline(n))
		}
	}
	if res.Sockets != nil {
		ew.printf("\n### Sockets: %d\n\n| state | sockets |\n|---|---:|\n", res.Sockets.Total)
		for _, st := range audit.States() {
			if n := res.Sockets.States[st.String()]; n > 0 {
				ew.printf("| %s | %d |\n", st, n)
			}
		}
	}
}

// fixCell is the fix as the text of a table cell: the sysctl values as
// code, one per line, else the first sentence of the advice. Each part is
// escaped once; the <br> between values is the one tag a cell holds.
func fixCell(f rules.Finding) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(f.Fix.Sysctl)) {
		parts = append(parts, codeCell(k+" = "+f.Fix.Sysctl[k]))
	}
	if len(parts) > 0 {
		return strings.Join(parts, "<br>")
	}
	return inline(firstSentence(f.Fix.Advice))
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
