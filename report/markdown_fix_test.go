package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"

	"github.com/tcpaudit/tcpaudit/rules"
)

// fixCells parses Markdown as GitHub does and returns the HTML of the last
// cell of each body row of the first table: the fix column.
func fixCells(t *testing.T, src []byte) []string {
	t.Helper()
	// GitHub keeps a <br> in a cell; goldmark keeps raw HTML when unsafe.
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	doc := md.Parser().Parse(text.NewReader(src))
	var cells []string
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if row, ok := n.(*east.TableRow); ok && entering {
			cells = append(cells, cellHTML(t, md, src, row.LastChild()))
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cells
}

// TestMarkdownFixColumn renders findings whose fix holds several sysctl
// values, or advice with characters HTML escapes, and reads the fix column
// the way GitHub renders it: one line break between values (no literal
// <br> text) and the advice escaped exactly once.
func TestMarkdownFixColumn(t *testing.T) {
	res := rules.Result{Profile: "baseline", Findings: []rules.Finding{{
		Rule: "ephemeral-port-range", Severity: rules.Warning, Title: "narrow range",
		Fix: rules.Fix{Sysctl: map[string]string{
			"net.ipv4.ip_local_port_range":     "32768 60999",
			"net.ipv4.ip_local_reserved_ports": "50500|50501",
		}},
	}, {
		Rule: "close-wait-accumulation", Severity: rules.Warning, Title: "leak",
		Fix: rules.Fix{Advice: "Close sockets in <app> & keep backlog >= 128 | less. Then restart."},
	}}}
	var b bytes.Buffer
	if err := (Markdown{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"<code>net.ipv4.ip_local_port_range = 32768 60999</code><br><code>net.ipv4.ip_local_reserved_ports = 50500|50501</code>",
		"Close sockets in &lt;app&gt; &amp; keep backlog &gt;= 128 | less.",
	}
	got := fixCells(t, b.Bytes())
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("fix column as GitHub renders it (-want +got):\n%s\n%s", d, b.String())
	}
}

// TestMarkdownNoDoubleEscape renders every result to HTML with a GFM
// parser: no escaped tag or entity shows as text.
func TestMarkdownNoDoubleEscape(t *testing.T) {
	for name, res := range results(t) {
		var src, out bytes.Buffer
		if err := (Markdown{}).Write(&src, res); err != nil {
			t.Fatal(err)
		}
		if err := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe())).Convert(src.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"&lt;br&gt;", "&amp;lt;", "&amp;gt;", "&amp;amp;"} {
			if strings.Contains(out.String(), bad) {
				t.Errorf("%s: rendered HTML shows %q as text:\n%s", name, bad, out.String())
			}
		}
	}
}
