package docs_test

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// document is a parsed Markdown file and the IDs of its headings, as GitHub
// derives them from the heading text.
type document struct {
	src  []byte
	root ast.Node
	ids  map[string]bool
}

func parse(path string) (*document, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	md := goldmark.New(goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()))
	d := &document{src: src, root: md.Parser().Parse(text.NewReader(src)), ids: map[string]bool{}}
	err = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			if id, ok := h.AttributeString("id"); ok {
				d.ids[string(id.([]byte))] = true
			}
		}
		return ast.WalkContinue, nil
	})
	return d, err
}

// line is the 1-based line of a byte offset.
func (d *document) line(offset int) int { return bytes.Count(d.src[:offset], []byte("\n")) + 1 }

// nodeLine is the line where a block starts, or of its first text child.
func (d *document) nodeLine(n ast.Node) int {
	for ; n != nil; n = n.FirstChild() {
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return d.line(n.Lines().At(0).Start)
		}
		switch n := n.(type) {
		case *ast.Text:
			return d.line(n.Segment.Start)
		case *ast.RawHTML:
			if n.Segments.Len() > 0 {
				return d.line(n.Segments.At(0).Start)
			}
		}
	}
	return 0
}

// check returns the problems of one Markdown file: relative links to files
// or headings that do not exist, pipe tables that did not parse as tables,
// code fences that are never closed and raw HTML (in this documentation a
// <placeholder> written outside a code span, which GitHub would drop).
func check(path string) ([]string, error) {
	d, err := parse(path)
	if err != nil {
		return nil, err
	}
	var problems []string
	report := func(n ast.Node, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s:%d: %s", path, d.nodeLine(n), fmt.Sprintf(format, args...)))
	}
	err = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if msg := checkLink(path, d, string(n.Destination)); msg != "" {
				report(n, "%s", msg)
			}
		case *ast.Image:
			if msg := checkLink(path, d, string(n.Destination)); msg != "" {
				report(n, "%s", msg)
			}
		case *ast.Paragraph:
			if n.Lines().Len() == 0 {
				break
			}
			if first := n.Lines().At(0); bytes.HasPrefix(first.Value(d.src), []byte("|")) {
				report(n, "a line starting with | is not part of a table (header, delimiter row and cells must match)")
			}
		case *ast.RawHTML, *ast.HTMLBlock:
			report(n, "raw HTML (GitHub drops unknown tags): put <...> in a code span")
		case *ast.FencedCodeBlock:
			if !d.closed(n) {
				report(n, "code fence is never closed")
			}
		}
		return ast.WalkContinue, nil
	})
	return problems, err
}

// closed tells whether a fenced code block ends with a closing fence rather
// than at the end of its container.
func (d *document) closed(n *ast.FencedCodeBlock) bool {
	if n.Lines().Len() == 0 {
		return true // an empty block: nothing to run past
	}
	rest := d.src[n.Lines().At(n.Lines().Len()-1).Stop:]
	next, _, _ := bytes.Cut(rest, []byte("\n"))
	next = bytes.TrimLeft(next, " >")
	return bytes.HasPrefix(next, []byte("```")) || bytes.HasPrefix(next, []byte("~~~"))
}

// checkLink returns why a link from the file at path does not resolve, or
// "" when it does or is not relative.
func checkLink(path string, from *document, dest string) string {
	u, err := url.Parse(dest)
	if err != nil {
		return fmt.Sprintf("link %q: %v", dest, err)
	}
	if u.Scheme != "" || u.Host != "" {
		return ""
	}
	target, doc := path, from
	if u.Path != "" {
		target = filepath.Join(filepath.Dir(path), filepath.FromSlash(u.Path))
		if _, err := os.Stat(target); err != nil {
			return fmt.Sprintf("link %q: %s does not exist", dest, target)
		}
		doc = nil
	}
	if u.Fragment == "" || !strings.HasSuffix(target, ".md") {
		return ""
	}
	if doc == nil {
		if doc, err = parse(target); err != nil {
			return fmt.Sprintf("link %q: %v", dest, err)
		}
	}
	if !doc.ids[u.Fragment] {
		return fmt.Sprintf("link %q: %s has no heading #%s", dest, target, u.Fragment)
	}
	return ""
}
