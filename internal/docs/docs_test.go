package docs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"

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

// TestMarkdownLinksAndSyntax checks README.md and every docs/*.md: links
// that resolve, tables that parse, closed fences, no raw HTML.
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
// of the catalog, naming its title and parameters, and a link to it from
// the README's rule table.
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
		section := ruleSection(d.src, r.ID)
		for _, want := range append([]string{r.Title}, paramNames(r)...) {
			if !bytes.Contains(section, []byte(want)) {
				t.Errorf("docs/rules.md, section %s: does not mention %q", r.ID, want)
			}
		}
		if !bytes.Contains(readme, []byte("(docs/rules.md#"+r.ID+")")) {
			t.Errorf("README.md does not link rule %s to docs/rules.md#%s", r.ID, r.ID)
		}
	}
}

// ruleSection is the text of docs/rules.md from the heading "## id" to the
// next second-level heading.
func ruleSection(src []byte, id string) []byte {
	_, rest, ok := bytes.Cut(src, []byte("\n## "+id+"\n"))
	if !ok {
		return nil
	}
	section, _, _ := bytes.Cut(rest, []byte("\n## "))
	return section
}

// paramNames are a rule's parameters as docs/rules.md writes them.
func paramNames(r rules.Rule) []string {
	var names []string
	for _, p := range r.Params {
		names = append(names, "`"+p.Name+"`")
	}
	return names
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
