package lint

import (
	"fmt"

	"github.com/tcpaudit/tcpaudit/rules"
)

func shadowed() Check {
	return Check{
		Rule: rules.Rule{
			ID:       "lint-shadowed",
			Title:    "Keys set in several places: only the last assignment applies",
			Category: rules.Hardening,
			Severity: rules.Info,
			Explanation: "Reports assignments a later one replaces, or a later exclusion ('-key') cancels, naming " +
				"the line that counts: an edit to a line that does not win changes nothing at boot.",
		},
		Run: shadowedLines,
	}
}

// shadowedLines reports assignments that a later one replaces, naming the
// winner.
func shadowedLines(in *Input) []rules.Finding {
	var out []rules.Finding
	for _, e := range in.assignments() {
		w, ok := in.Tree.Config.Lookup(e.Key)
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
			Title:    title,
			Observed: fmt.Sprintf("%s sets %s = %s", where(e), e.Key, e.Value), Expected: "one place that sets the key",
			Explanation: "systemd-sysctl reads files in byte-wise order of their names across /etc, /run, /usr/local/lib " +
				"and /usr/lib, and the last assignment of a key wins; an edit to a line that does not win changes nothing at boot.",
			Location: at(e),
		})
	}
	return out
}
