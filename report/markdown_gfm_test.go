package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/rules"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// gfmTables parses Markdown as GitHub does (GFM) and returns each table as
// rows (header first) of cells, each cell as the text a reader sees.
func gfmTables(t *testing.T, src []byte) [][][]string {
	t.Helper()
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	doc := md.Parser().Parse(text.NewReader(src))
	var tables [][][]string
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *east.Table:
			tables = append(tables, nil)
		case *east.TableHeader, *east.TableRow:
			var row []string
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				row = append(row, cellText(t, md, src, c))
			}
			tables[len(tables)-1] = append(tables[len(tables)-1], row)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// cellText renders a cell's inline content to HTML and strips it to text.
func cellText(t *testing.T, md goldmark.Markdown, src []byte, cell ast.Node) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(cellHTML(t, md, src, cell), ""))
}

// cellHTML renders a cell's inline content to HTML.
func cellHTML(t *testing.T, md goldmark.Markdown, src []byte, cell ast.Node) string {
	var b bytes.Buffer
	for c := cell.FirstChild(); c != nil; c = c.NextSibling() {
		if err := md.Renderer().Render(&b, src, c); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestMarkdownTablesParse renders every result and parses it with a GFM
// parser: the findings table has one row of five cells per finding, and the
// census table one row per non-empty state.
func TestMarkdownTablesParse(t *testing.T) {
	for name, res := range results(t) {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := (Markdown{}).Write(&b, res); err != nil {
				t.Fatal(err)
			}
			tables := gfmTables(t, b.Bytes())
			want := 0
			if len(res.Findings) > 0 {
				want++
				rows := tables[0]
				if len(rows) != 1+len(res.Findings) {
					t.Fatalf("findings table has %d rows, want %d", len(rows), 1+len(res.Findings))
				}
				names := namespaceNames(escaped(res))
				for i, f := range res.Findings {
					got := rows[i+1]
					want := []string{got[0], f.Rule + shownNamespace(escaped(f), names), oneLine(Escape(f.Title)), oneLine(Escape(f.Observed))}
					if d := cmp.Diff(want, got[:4]); d != "" {
						t.Errorf("findings row %d as GitHub shows it (-want +got):\n%s", i+1, d)
					}
				}
			}
			if res.Sockets != nil {
				want++
				states := 0
				for _, n := range res.Sockets.States {
					if n > 0 {
						states++
					}
				}
				if rows := tables[len(tables)-1]; len(rows) != 1+states {
					t.Errorf("census table has %d rows, want %d", len(rows), 1+states)
				}
			}
			if len(tables) != want {
				t.Errorf("%d tables, want %d:\n%s", len(tables), want, b.String())
			}
		})
	}
}

// shownNamespace is what a reader sees after the rule ID: " in NAME" with
// NAME as Escape shows it, "" for the host's namespace.
func shownNamespace(f rules.Finding, names map[string]string) string {
	if f.Namespace == "" {
		return ""
	}
	if name := names[f.Namespace]; name != "" {
		return " in " + name
	}
	return " in " + f.Namespace
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
