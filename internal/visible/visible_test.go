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
		`lit\n`:          `"lit\\n"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if s, q := String("x\a"), Quote("x\a"); q != `"`+s+`"` {
		t.Errorf("String %s and Quote %s escape BEL differently", s, q)
	}
}

// TestStringBackslash: in a name that is escaped, a backslash is doubled,
// so a literal backslash-n and an escaped newline read differently; a
// clean name is shown as given, and escaped text stays as it is.
func TestStringBackslash(t *testing.T) {
	for in, want := range map[string]string{
		`a\nb`:                `a\nb`,
		"a\nb\\n\x1b":         `a\nb\\n\x1b`,
		"q\"b\\c\nd":          `q"b\\c\nd`,
		"plain":               "plain",
		String("x\\n\ny\x1b"): `x\\n\ny\x1b`,
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %s, want %s", in, got, want)
		}
	}
	if !Clean(`a\b`) || Clean("a\x1b") || Clean("bad\xff") {
		t.Error("Clean: a backslash is clean, ESC and bytes that are not UTF-8 are not")
	}
}

// TestMessage: a message holding a name Quote escaped and a raw path keeps
// the quoted part as it is and escapes the path's control characters.
func TestMessage(t *testing.T) {
	name := "bel\a\\b"
	msg := "--netns " + Quote(name) + ": /run/netns/" + name + " does not exist"
	want := `--netns "bel\x07\\b": /run/netns/bel\x07\b does not exist`
	if got := Message(msg); got != want {
		t.Errorf("Message = %s, want %s", got, want)
	}
}
