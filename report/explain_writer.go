package report

import (
	"fmt"
	"io"
	"strings"
)

// explainWidth is the column explain wraps prose at.
const explainWidth = 78

// explainWriter writes explain's text and keeps the first write error.
type explainWriter struct {
	w   io.Writer
	err error
}

func (e *explainWriter) line(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format+"\n", args...)
	}
}

// section writes a heading and its text, wrapped and indented.
func (e *explainWriter) section(title, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	e.line("\n%s", title)
	e.para("  ", text)
}

// para writes text filled to explainWidth; the first line starts with
// first, the others are indented to the same width.
func (e *explainWriter) para(first, text string) {
	indent := strings.Repeat(" ", len(first))
	line := first
	n := 0
	for _, word := range strings.Fields(text) {
		if n > 0 && len(line)+1+len(word) > explainWidth {
			e.line("%s", line)
			line, n = indent, 0
		}
		if n > 0 {
			line += " "
		}
		line += word
		n++
	}
	e.line("%s", line)
}
