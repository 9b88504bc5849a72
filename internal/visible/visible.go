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
// are not UTF-8 as \xNN; when it writes any of these, backslash as \\ too,
// so that a literal backslash-n in an escaped name never reads as a
// newline. It returns s itself when s holds none of them: a clean name is
// shown as it was given, and text String made stays as it is when passed
// through String again.
func String(s string) string {
	if Clean(s) {
		return s
	}
	return escape(s, true)
}

// Message returns s as String does, but with its backslashes left as they
// are: for a message composed of parts, some escaped already (a name
// Quote wrote into an error) and some not (an os error's path), which
// String would escape twice.
func Message(s string) string {
	if Clean(s) {
		return s
	}
	return escape(s, false)
}

// escape writes s as String does when s needs escaping, backslash as \\
// when backslash is set.
func escape(s string, backslash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' && backslash:
			b.WriteString(`\\`)
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
// with backslash and double quote escaped always (\\, \"), so that the
// quoted text reads back unambiguously: the form to use where Go's %q
// would write other escapes (\a for BEL where String writes \x07).
func Quote(s string) string {
	return `"` + strings.ReplaceAll(escape(s, true), `"`, `\"`) + `"`
}

// Clean reports whether s holds nothing a terminal would act on: valid
// UTF-8 and no control character (String still doubles its backslashes).
func Clean(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}
