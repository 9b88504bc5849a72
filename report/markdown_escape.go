package report

import (
	"strings"
	"unicode"
)

// How the Markdown report keeps system-supplied text (process, namespace,
// container and interface names, paths, kernel releases, file contents) from
// becoming markup: prose goes through inline, which escapes everything that
// could open a construct; names shown as code go through codeSpan, whose
// fence outlasts every backtick run inside. Both take one line (Escape has
// already made control characters visible).

// codeSpan is s as a CommonMark code span: its fence is longer than any run
// of backticks inside, and a space pads each side when s begins or ends
// with a backtick (or is empty), which the parser strips again. A code span
// shows its content as typed: no markup, entities or autolinks inside.
func codeSpan(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if s == "" || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// codeCell is s as a code span inside a table cell, where GFM splits cells
// at a pipe even inside a code span unless the pipe is escaped.
func codeCell(s string) string {
	return strings.ReplaceAll(codeSpan(s), "|", `\|`)
}

// codeFence is the fence of a fenced code block holding text: backticks,
// at least three, longer than any backtick run in it, so no line inside
// can close the block.
func codeFence(text string) string {
	return strings.Repeat("`", max(3, longestRun(text, '`')+1))
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := range len(s) {
		if s[i] != c {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}

// inline makes text safe as one line of Markdown, or a table cell, that a
// reader sees as it was typed: whitespace runs become one space, and every character that
// could open a construct is escaped: <, > and & as entities (no HTML, no
// entity of the text's own), and with a backslash the openers of code
// spans, emphasis, strikethrough, links, images and table cells, a
// trailing backslash (a hard line break), # (a heading, or the closing
// sequence that ends one), the @ of e-mail autolinks, the colon of "://",
// the dot of "www.", and a block marker at the start (a list item or
// thematic break inside a list item).
func inline(s string) string {
	rs := []rune(strings.Join(strings.Fields(s), " "))
	var b strings.Builder
	for i, r := range rs {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case needsBackslash(rs, i):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// needsBackslash reports whether rs[i] must be backslash-escaped in inline.
func needsBackslash(rs []rune, i int) bool {
	r := rs[i]
	switch {
	case strings.ContainsRune("\\`*~[]|@#", r):
		return true
	case r == '_':
		// An underscore between letters or digits neither opens nor
		// closes emphasis (CommonMark's flanking rules): tcp_fin_timeout
		// stays as it is.
		return i == 0 || i == len(rs)-1 || !alnum(rs[i-1]) || !alnum(rs[i+1])
	case r == ':':
		// Two runes looked at, not the rest of the text copied: a text of
		// many colons (4,500 listeners named) took seconds.
		return i+2 < len(rs) && rs[i+1] == '/' && rs[i+2] == '/'
	case r == '.' && i >= 3 && strings.EqualFold(string(rs[i-3:i]), "www"):
		return true
	}
	return blockMarker(rs, i)
}

// blockMarker reports whether rs[i] would make the start of rs a block of
// its own inside a list item: a leading - or + (a list item, a thematic
// break), or the . or ) after one to nine leading digits when a space or
// the end follows (an ordered list item).
func blockMarker(rs []rune, i int) bool {
	if i == 0 {
		return rs[0] == '-' || rs[0] == '+'
	}
	if rs[i] != '.' && rs[i] != ')' || i > 9 || i+1 < len(rs) && rs[i+1] != ' ' {
		return false
	}
	for _, d := range rs[:i] {
		if d < '0' || d > '9' {
			return false
		}
	}
	return true
}

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
