package visible

import "testing"

// TestQuote: a quoted name escapes a control character as String does
// (BEL is \x07 in both, never Go's \a), and backslash and double quote so
// that the quoted text reads back unambiguously.
func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"bel\ab":         `"bel\x07b"`,
		"plain-name":     `"plain-name"`,
		`a"b\c`:          `"a\"b\\c"`,
		"nl\nesc\x1b[2J": `"nl\nesc\x1b[2J"`,
		"bad\xffutf8":    `"bad\xffutf8"`,
		"c1\u0085":       `"c1\u0085"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if s, q := String("x\a"), Quote("x\a"); q != `"`+s+`"` {
		t.Errorf("String %s and Quote %s escape BEL differently", s, q)
	}
}
