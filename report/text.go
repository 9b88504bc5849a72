package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/fatih/color"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/rules"
)

// Text writes the report a person reads: findings grouped by severity, each
// with what was observed and expected, why it matters and the fix, then
// skipped rules, notes, the socket census and a summary line.
type Text struct {
	// Color enables ANSI colour; it never touches color.NoColor.
	Color bool
}

const wrapWidth = 78

type palette struct {
	crit, warn, info, bold, dim, ok *color.Color
}

func (t Text) palette() palette {
	p := palette{
		crit: color.New(color.FgRed, color.Bold),
		warn: color.New(color.FgYellow, color.Bold),
		info: color.New(color.FgCyan),
		bold: color.New(color.Bold),
		dim:  color.New(color.Faint),
		ok:   color.New(color.FgGreen),
	}
	for _, c := range []*color.Color{p.crit, p.warn, p.info, p.bold, p.dim, p.ok} {
		if t.Color {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

func (p palette) severity(s rules.Severity) *color.Color {
	switch s {
	case rules.Critical:
		return p.crit
	case rules.Warning:
		return p.warn
	}
	return p.info
}

// Write renders res.
func (t Text) Write(w io.Writer, res rules.Result) error {
	res = escaped(res)
	p := t.palette()
	ew := &errWriter{w: w}
	header := "tcpaudit " + command(res) + ": profile " + res.Profile
	if res.Kernel != "" {
		header += ", kernel " + res.Kernel
	}
	if res.Sockets != nil {
		noun := "sockets"
		if res.Sockets.Total == 1 {
			noun = "socket"
		}
		header += fmt.Sprintf(", %d %s", res.Sockets.Total, noun)
		if src := censusSource(res); src != "" {
			header += " (" + src + ")"
		}
	}
	if res.Config != "" {
		header += ", config " + res.Config
	}
	if len(res.Namespaces) > 0 {
		header += ", " + plural(len(res.Namespaces), "network namespace")
	}
	ew.printf("%s\n", p.bold.Sprint(header))
	if len(res.Namespaces) > 0 {
		t.namespaces(ew, p, res)
	} else {
		t.groups(ew, p, res.Findings, "")
	}
	t.skipped(ew, p, res)
	if len(res.Notes) > 0 {
		ew.printf("\n%s\n", p.bold.Sprint("Notes"))
		for _, n := range res.Notes {
			ew.printf("%s\n", wrap(n, "  - ", "    "))
		}
	}
	if res.Sockets != nil {
		ew.printf("\n%s %s\n", p.bold.Sprint("Sockets:"), stateLine(res.Sockets))
	}
	s := Summarize(res)
	line := fmt.Sprintf("%d critical, %d warning, %d info", s.Critical, s.Warning, s.Info)
	if s.Waived > 0 {
		line += fmt.Sprintf(", %d waived", s.Waived)
	}
	line += fmt.Sprintf("; rules: %d passed, %d failed, %d skipped, %d disabled", s.Passed, s.Failed, s.Skipped, s.Disabled)
	status := p.ok.Sprint("OK")
	if w := res.Worst(); w > 0 {
		status = p.severity(w).Sprint(strings.ToUpper(w.String()))
	}
	ew.printf("\n%s %s\n", status, line)
	if len(res.Namespaces) > 0 {
		ew.printf("%s\n", namespaceSummary(res.Namespaces))
	}
	return ew.err
}

// groups writes findings by severity, most severe first, each group's
// title indented by indent.
func (t Text) groups(ew *errWriter, p palette, findings []rules.Finding, indent string) {
	for _, sev := range []rules.Severity{rules.Critical, rules.Warning, rules.Info} {
		var group []rules.Finding
		for _, f := range findings {
			if f.Severity == sev {
				group = append(group, f)
			}
		}
		if len(group) == 0 {
			continue
		}
		ew.printf("\n%s%s\n", indent, p.severity(sev).Sprintf("%s (%d)", strings.ToUpper(sev.String()), len(group)))
		for _, f := range group {
			t.finding(ew, p, f)
		}
	}
}

func (t Text) finding(ew *errWriter, p palette, f rules.Finding) {
	ew.printf("\n  %s %s\n", p.severity(f.Severity).Sprint(f.Rule), p.bold.Sprint(f.Title))
	if f.Waived != "" {
		ew.printf("%s\n", wrap(f.Waived, "    waived    ", "              "))
	}
	if f.HostWide {
		ew.printf("%s\n", wrap(hostWideNote, "    host-wide ", "              "))
	}
	ew.printf("%s\n", wrap(f.Observed, "    observed  ", "              "))
	ew.printf("%s\n", wrap(f.Expected, "    expected  ", "              "))
	ew.printf("%s\n", p.dim.Sprint(wrap(f.Explanation, "    why       ", "              ")))
	if f.Fix.Advice != "" {
		ew.printf("%s\n", wrap(f.Fix.Advice, "    fix       ", "              "))
	}
	for _, o := range f.Fix.Processes {
		ew.printf("              pid %d (%s): %d sockets\n", o.PID, o.Command, o.Sockets)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Fix.Sysctl)) {
		ew.printf("    sysctl    %s\n", p.bold.Sprintf("%s = %s", k, f.Fix.Sysctl[k]))
	}
}

// hostWideNote says what a finding marked host-wide means.
const hostWideNote = "judged with the host's values of global keys (one value for every network namespace) and the host-wide counts this namespace shows; only the host can change them"

func (t Text) skipped(ew *errWriter, p palette, res rules.Result) {
	var skipped []rules.Evaluation
	for _, e := range res.Evaluations {
		if e.Status == rules.Skipped {
			skipped = append(skipped, e)
		}
	}
	if len(skipped) == 0 {
		return
	}
	ew.printf("\n%s\n", p.bold.Sprintf("Skipped (%d)", len(skipped)))
	for _, e := range skipped {
		ew.printf("%s\n", wrap(e.Reason, "  "+e.Rule+": ", "    "))
	}
}

// censusSource names where the census came from: "netlink" when the
// netlink source was read, "/proc" when net/tcp or net/tcp6 was.
func censusSource(res rules.Result) string {
	proc := false
	for _, s := range res.Sources {
		switch {
		case s.Source == "netlink" && s.OK:
			return "netlink"
		case (s.Source == "net/tcp" || s.Source == "net/tcp6") && s.OK:
			proc = true
		}
	}
	if proc {
		return "/proc"
	}
	return ""
}

// stateLine lists non-zero states in kernel order.
func stateLine(s *rules.Sockets) string {
	var parts []string
	for _, st := range audit.States() {
		if n := s.States[st.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", st, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// wrap fills text to wrapWidth, the first line after first, the rest after
// rest.
func wrap(text, first, rest string) string {
	var b strings.Builder
	line := first
	n := 0
	for _, word := range strings.Fields(text) {
		if n > 0 && len(line)+1+len(word) > wrapWidth {
			b.WriteString(line)
			b.WriteByte('\n')
			line, n = rest, 0
		}
		if n > 0 {
			line += " "
		}
		line += word
		n++
	}
	b.WriteString(line)
	return b.String()
}

// errWriter keeps the first write error so the renderers stay linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
