package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/rules"
)

func TestMarkdownEscapesCells(t *testing.T) {
	var b bytes.Buffer
	if err := (Markdown{}).Write(&b, fileResult()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "| critical") {
			continue
		}
		// Five cells: the | in the expected value and the title's <removed>
		// must not break the table or open an HTML tag.
		if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 6 {
			t.Errorf("row has %d separators, want 6: %s", n, line)
		}
		if strings.Contains(line, "<removed>") {
			t.Errorf("row keeps raw HTML: %s", line)
		}
	}
	if !strings.Contains(out, "critical (waived)") && !strings.Contains(out, "info (waived)") {
		t.Errorf("waived finding not marked:\n%s", out)
	}
}

func TestMarkdownOKWithoutFindings(t *testing.T) {
	var b bytes.Buffer
	res := rules.Result{Profile: "baseline", Evaluations: []rules.Evaluation{{Rule: "r", Status: rules.Passed}}}
	if err := (Markdown{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "**OK**: 0 critical, 0 warning, 0 info; rules: 1 passed") {
		t.Errorf("no OK status line:\n%s", b.String())
	}
}
