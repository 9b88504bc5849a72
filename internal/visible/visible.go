// Package visible makes text read from the system safe to show: control
// characters, newline and tab included, and bytes that are not UTF-8 are
// written as escapes, so a name cannot act on a terminal or forge a line.
package visible

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns s with newline and tab as \n and \t, the other C0 and C1
// control characters as \xNN (\u00NN for C1 characters), and bytes that
// are not UTF-8 as \xNN; s itself when it holds none of them.
func String(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Quote returns s between double quotes, escaped as String escapes it,
// with backslash and double quote escaped too (\\, \"), so that the quoted
// text reads back unambiguously: the form to use where Go's %q would
// write other escapes (\a for BEL where String writes \x07).
func Quote(s string) string {
	return `"` + String(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)) + `"`
}

func needsEscape(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}
