package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tcpaudit/tcpaudit/tune"
)

// TuneJSON writes the sizing report of `tcpaudit tune --format json`: one
// object per key with its current and proposed values, the inputs, the
// formula, the confidence and the verdict.
type TuneJSON struct{}

// Write writes r as indented JSON.
func (TuneJSON) Write(w io.Writer, r tune.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// TuneText writes the sizing report for a terminal: per key the verdict,
// current → proposed, the arithmetic and any advice. Text from the system
// (process names) is escaped.
type TuneText struct{}

// Write writes r as text.
func (TuneText) Write(w io.Writer, r tune.Report) error {
	r = escaped(r)
	var b strings.Builder
	fmt.Fprintf(&b, "tcpaudit tune: %d readings over %.1f s%s (census source %s)\n", r.Readings, r.Span, window(r), r.Source)
	if r.Truncated {
		b.WriteString("note: more sockets than tracked; new-connection counts are lower bounds\n")
	}
	for _, p := range r.Proposals {
		value := p.Current
		if p.Verdict == tune.Change {
			value = fmt.Sprintf("%s → %s", orUnread(p.Current), p.Proposed)
		}
		fmt.Fprintf(&b, "\n%s: %s, %s", p.Key, strings.ReplaceAll(string(p.Verdict), "-", " "), orUnread(value))
		if p.Confidence != tune.Insufficient {
			fmt.Fprintf(&b, " (confidence %s)", p.Confidence)
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, "  %s\n", p.Formula)
		if p.Advice != "" {
			fmt.Fprintf(&b, "  advice: %s\n", p.Advice)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// window says when the readings were taken: ", 23:10:01.123 to
// 23:10:07.456 UTC" (namespaces observed at once each have their own).
func window(r tune.Report) string {
	if r.Start.IsZero() {
		return ""
	}
	const clock = "15:04:05.000"
	return fmt.Sprintf(", %s to %s UTC", r.Start.UTC().Format(clock), r.End.UTC().Format(clock))
}

func orUnread(v string) string {
	if v == "" {
		return "(not readable here)"
	}
	return v
}
