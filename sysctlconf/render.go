package sysctlconf

import (
	"strings"
)

// Render writes entries one per line so that Parse reads back the same keys,
// values, flags and exclusions: "key = value", "-key = value" for
// ignore-failure, "-key" for an exclusion.
func Render(entries []Entry) string {
	var b strings.Builder
	for _, e := range entries {
		if e.Exclude || e.IgnoreFailure {
			b.WriteByte('-')
		}
		b.WriteString(writtenKey(e))
		if !e.Exclude {
			b.WriteString(" = ")
			b.WriteString(e.Value)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// writtenKey returns a spelling of the entry's key that normalizes back to
// its path: the canonical key when it does, else the slash path with a
// leading (and, for blanks at an edge, trailing) '/'.
func writtenKey(e Entry) string {
	for _, w := range []string{e.Key, "/" + e.Path, "/" + e.Path + "/"} {
		if readsAs(w, e.Path) {
			return w
		}
	}
	return e.Key
}

func readsAs(w, path string) bool {
	if w != strings.Trim(w, whitespace) || strings.ContainsAny(w, "=\n\r\x00") {
		return false
	}
	if w != "" && strings.ContainsRune("-#;", rune(w[0])) {
		return false
	}
	return Normalize(w) == path
}
