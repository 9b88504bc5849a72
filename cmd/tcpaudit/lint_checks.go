package main

import (
	"fmt"
	"sort"

	"github.com/tcpaudit/tcpaudit/rules"
	"github.com/tcpaudit/tcpaudit/sysctlconf"
)

// lintCheck is one static check of the configuration.
type lintCheck struct {
	id, title string
	// run returns findings, or a reason when the check cannot run.
	run func(l *linter) ([]rules.Finding, string)
}

// lintChecks lists the checks in the order reports list them.
func lintChecks() []lintCheck {
	return []lintCheck{
		{"lint-syntax", "Lines the tools ignore, reject or read other than meant", func(l *linter) ([]rules.Finding, string) {
			return l.diagnostics(sysctlconf.CodeSyntax), ""
		}},
		{"lint-procps-systemd-difference", "Lines and files procps and systemd-sysctl treat differently", func(l *linter) ([]rules.Finding, string) {
			return l.diagnostics(sysctlconf.CodeDifference), ""
		}},
		{"lint-unknown-key", "Keys this kernel does not have", (*linter).unknownKeys},
		{"lint-removed-key", "Keys removed from the kernel", func(l *linter) ([]rules.Finding, string) { return l.removedKeys(), "" }},
		{"lint-out-of-bounds", "Values the kernel rejects", func(l *linter) ([]rules.Finding, string) { return l.outOfBounds(), "" }},
		{"lint-shadowed", "Keys set in several places: only the last assignment applies", func(l *linter) ([]rules.Finding, string) { return l.shadowed(), "" }},
		{"lint-profile-conflict", "Settings that contradict the profile", func(l *linter) ([]rules.Finding, string) { return l.profileConflicts(), "" }},
	}
}

// linter holds what the checks share.
type linter struct {
	tree     lintTree
	cfg      rules.Config
	procRoot string
}

// lint runs every check and returns a result the report package writes.
func lint(t lintTree, cfg rules.Config, procRoot string) rules.Result {
	l := &linter{tree: t, cfg: cfg, procRoot: procRoot}
	res := rules.Result{Command: "lint", Profile: cfg.Profile}
	for _, c := range lintChecks() {
		ev := rules.Evaluation{Rule: c.id, Title: c.title, Category: rules.Hardening, Status: rules.Passed}
		found, reason := c.run(l)
		switch {
		case reason != "":
			ev.Status, ev.Reason = rules.Skipped, reason
		case len(found) > 0:
			ev.Status = rules.Failed
		}
		for i := range found {
			found[i].Rule = c.id
			found[i].Location.File = t.host(found[i].Location.File)
		}
		res.Findings = append(res.Findings, found...)
		res.Evaluations = append(res.Evaluations, ev)
	}
	sort.SliceStable(res.Findings, func(i, j int) bool { return res.Findings[i].Severity > res.Findings[j].Severity })
	for _, f := range t.conf.Files {
		res.Notes = append(res.Notes, "read "+t.host(f.Path))
	}
	return res
}

func at(e sysctlconf.Entry) *rules.Location { return &rules.Location{File: e.File, Line: e.Line} }

func where(e sysctlconf.Entry) string { return fileLine(e.File, e.Line) }

// fileLine is FILE:LINE, or FILE for what concerns the whole file (line 0).
func fileLine(file string, line int) string {
	if line == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}

var diagSeverity = map[sysctlconf.Severity]rules.Severity{
	sysctlconf.SeverityError: rules.Critical, sysctlconf.SeverityWarning: rules.Warning, sysctlconf.SeverityInfo: rules.Info,
}

func (l *linter) diagnostics(code string) []rules.Finding {
	var out []rules.Finding
	for _, d := range l.tree.conf.Diagnostics {
		if d.Code != code {
			continue
		}
		out = append(out, rules.Finding{
			Severity: diagSeverity[d.Severity], Title: d.Message,
			Observed: fileLine(d.File, d.Line), Expected: "a line both systemd-sysctl and procps read as meant",
			Explanation: "sysctl.d lines are read by systemd-sysctl at boot and by procps sysctl --system or -p; " +
				"neither has inline comments, continuation lines or quoting, and they differ in the details named here.",
			Location: &rules.Location{File: d.File, Line: d.Line},
		})
	}
	return out
}

// assignments returns every explicit (non-glob) assignment line.
func (l *linter) assignments() []sysctlconf.Entry {
	var out []sysctlconf.Entry
	for _, e := range l.tree.conf.Lines {
		if !e.Exclude && !e.Glob() && e.Path != "" {
			out = append(out, e)
		}
	}
	return out
}

func (l *linter) removedKeys() []rules.Finding {
	var out []rules.Finding
	for _, e := range l.assignments() {
		lim, ok := sysctlconf.Known(e.Key)
		if !ok || lim.Removed == "" {
			continue
		}
		out = append(out, rules.Finding{
			Severity: rules.Warning, Title: fmt.Sprintf("%s was removed in Linux %s", e.Key, lim.Removed),
			Observed: fmt.Sprintf("%s sets %s = %s", where(e), e.Key, e.Value), Expected: "no line for a removed key",
			Explanation: removedWhy(e.Key),
			Fix:         rules.Fix{Advice: fmt.Sprintf("Delete the line at %s.", where(e))},
			Location:    at(e),
		})
	}
	return out
}

func removedWhy(key string) string {
	if sysctlconf.Canonical(key) == "net.ipv4.tcp_tw_recycle" {
		return "tcp_tw_recycle was removed in Linux 4.12: it remembered the last timestamp per remote host and " +
			"dropped SYNs from clients behind NAT (their timestamp clocks are unrelated), and once timestamps were " +
			"randomized per connection it was broken for every connection. On a current kernel the file does not " +
			"exist, so sysctl -p fails on this line; on an older kernel a value of 1 silently drops clients behind NAT. " +
			"The line is stale and never belongs in a configuration."
	}
	return "The key no longer exists on current kernels: sysctl -p fails on the line and systemd-sysctl skips it."
}

func (l *linter) outOfBounds() []rules.Finding {
	var out []rules.Finding
	for _, e := range l.assignments() {
		err := sysctlconf.Check(e.Key, e.Value)
		if err == nil {
			continue
		}
		out = append(out, rules.Finding{
			Severity: rules.Warning, Title: err.Error(),
			Observed: fmt.Sprintf("%s sets %s = %s", where(e), e.Key, e.Value), Expected: "a value within the kernel's bounds",
			Explanation: "The kernel rejects the write with EINVAL, so the key keeps its previous value and both " +
				"systemd-sysctl and sysctl -p exit 1.",
			Location: at(e),
		})
	}
	return out
}

// shadowed reports assignments that a later one replaces, naming the
// winner.
func (l *linter) shadowed() []rules.Finding {
	var out []rules.Finding
	for _, e := range l.assignments() {
		w, ok := l.tree.conf.Lookup(e.Key)
		if ok && w.File == e.File && w.Line == e.Line {
			continue
		}
		title := fmt.Sprintf("%s at %s does not apply: a later exclusion ('-%s') means it is never written", e.Key, where(e), e.Key)
		switch {
		case ok && w.Value == e.Value:
			title = fmt.Sprintf("%s is set to the same value again: the line that counts is %s", e.Key, where(w))
		case ok:
			title = fmt.Sprintf("%s at %s does not apply: %s = %s at %s wins", e.Key, where(e), w.Key, w.Value, where(w))
		}
		out = append(out, rules.Finding{
			Severity: rules.Info, Title: title,
			Observed: fmt.Sprintf("%s sets %s = %s", where(e), e.Key, e.Value), Expected: "one place that sets the key",
			Explanation: "systemd-sysctl reads files in byte-wise order of their names across /etc, /run, /usr/local/lib " +
				"and /usr/lib, and the last assignment of a key wins; an edit to a line that does not win changes nothing at boot.",
			Location: at(e),
		})
	}
	return out
}
