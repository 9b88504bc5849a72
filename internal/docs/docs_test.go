package docs_test

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/tcpaudit/tcpaudit/rules"
)

// repoRoot is the repository's root as seen from this package.
const repoRoot = "../.."

// markdownFiles lists README.md and docs/*.md under root.
func markdownFiles(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, files...)
}

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

func TestMarkdownLinksAndSyntax(t *testing.T) {
	for _, path := range markdownFiles(t, repoRoot) {
		problems, err := check(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// TestCheckFindsProblems keeps the checker honest: each broken construct in
// a small tree must be reported, and only those.
func TestCheckFindsProblems(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"other.md": "# Other\n\n## A section\n",
		"bad.md": "# Bad\n\n" +
			"[ok](other.md) [ok](other.md#a-section) [ok](#bad) [web](https://example.com/x.md)\n\n" +
			"[gone](missing.md)\n\n" +
			"[no anchor](other.md#nowhere)\n\n" +
			"[no local anchor](#nowhere)\n\n" +
			"| a | b |\n|---|\n| 1 | 2 |\n\n" +
			"not present on kernel <release>\n\n" +
			"```sh\nnever closed\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := check(filepath.Join(dir, "bad.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"missing.md does not exist", "has no heading #nowhere", "has no heading #nowhere", "not part of a table", "raw HTML", "never closed"}
	if len(problems) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(problems), len(want), strings.Join(problems, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(problems[i], w) {
			t.Errorf("problem %d = %q, want it to mention %q", i, problems[i], w)
		}
	}
	if clean, err := check(filepath.Join(dir, "other.md")); err != nil || len(clean) != 0 {
		t.Errorf("other.md: problems %v, err %v; want none", clean, err)
	}
}

// TestRulesDocumented requires a section of docs/rules.md for every rule
// of the catalog and a link to it from the README's rule table.
func TestRulesDocumented(t *testing.T) {
	d, err := parse(filepath.Join(repoRoot, "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.Catalog() {
		if !d.ids[r.ID] {
			t.Errorf("docs/rules.md has no section for rule %s", r.ID)
		}
		if !bytes.Contains(readme, []byte("(docs/rules.md#"+r.ID+")")) {
			t.Errorf("README.md does not link rule %s to docs/rules.md#%s", r.ID, r.ID)
		}
	}
}

// TestReadmeStartsWithCommands keeps the README's first code block the way
// to run the tool and the tests, and CI running that same test command.
func TestReadmeStartsWithCommands(t *testing.T) {
	d, err := parse(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var first []string
	for n := d.root.FirstChild(); n != nil; n = n.NextSibling() {
		if b, ok := n.(*ast.FencedCodeBlock); ok {
			for i := range b.Lines().Len() {
				l := b.Lines().At(i)
				first = append(first, strings.Fields(string(l.Value(d.src)))...)
			}
			break
		}
	}
	cmds := strings.Join(first, " ")
	for _, want := range []string{"go run ./cmd/tcpaudit check", "go test ./..."} {
		if !strings.Contains(cmds, want) {
			t.Errorf("README.md's first code block %q lacks %q", cmds, want)
		}
	}
	ci, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Split(string(ci), "\n"), "go test ./...") {
		t.Errorf(".ci/run does not run the README's test command %q", "go test ./...")
	}
}
