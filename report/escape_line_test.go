package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestTextProcessNameOneLine: a process whose comm holds a newline and a
// tab ("cw\nFAKE ok") keeps the fix's process line one line, with \n and
// \t visible.
func TestTextProcessNameOneLine(t *testing.T) {
	res := hostResult(t, "close-wait-leak")
	found := false
	for i := range res.Findings {
		for j := range res.Findings[i].Fix.Processes {
			res.Findings[i].Fix.Processes[j].Command = "cw\nFAKE ok\tx"
			found = true
		}
	}
	if !found {
		t.Fatal("close-wait-leak has no finding naming a process")
	}
	var b bytes.Buffer
	if err := (Text{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `(cw\nFAKE ok\tx)`) {
		t.Errorf("want the comm escaped as (cw\\nFAKE ok\\tx) in:\n%s", b.String())
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "FAKE ok") || strings.ContainsRune(l, '\t') {
			t.Errorf("the process name broke a line: %q", l)
		}
	}
}

// TestEscapeControls: every control character is made visible, newline
// and tab included; printable text is kept.
func TestEscapeControls(t *testing.T) {
	for in, want := range map[string]string{
		"plain ü":       "plain ü",
		"a\nb\tc":       `a\nb\tc`,
		"x\x1b[31m\a":   `x\x1b[31m\x07`,
		"c1\u009b":      `c1\u009b`,
		"bad\xffutf8\r": `bad\xffutf8\x0d`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
