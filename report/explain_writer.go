package report

import "strings"

// explainWriter writes explain's text, prose filled to wrapWidth, and
// keeps the first write error.
type explainWriter struct {
	errWriter
}

func (e *explainWriter) line(format string, args ...any) {
	e.printf(format+"\n", args...)
}

// section writes a heading and its text, wrapped and indented.
func (e *explainWriter) section(title, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	e.line("\n%s", title)
	e.para("  ", text)
}

// para writes text filled to wrapWidth; the first line starts with first,
// the others are indented to the same width.
func (e *explainWriter) para(first, text string) {
	e.line("%s", wrap(text, first, strings.Repeat(" ", len(first))))
}
