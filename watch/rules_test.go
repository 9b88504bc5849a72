package watch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRulesCoverEveryFindingID: the finding IDs are the package's string
// constants that start with "watch-"; Rules describes each of them once,
// with a title and an explanation, and nothing else.
func TestRulesCoverEveryFindingID(t *testing.T) {
	var described []string
	for _, r := range Rules() {
		described = append(described, r.ID)
		if r.Title == "" || r.Explanation == "" || r.Category == "" || r.Severity == 0 {
			t.Errorf("%s: title %q, category %q, severity %v, explanation %q: want all set", r.ID, r.Title, r.Category, r.Severity, r.Explanation)
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			d, ok := n.(*ast.GenDecl)
			if !ok || d.Tok != token.CONST {
				return true
			}
			for _, s := range d.Specs {
				for _, v := range s.(*ast.ValueSpec).Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if id, _ := strconv.Unquote(lit.Value); strings.HasPrefix(id, "watch-") {
							declared = append(declared, id)
						}
					}
				}
			}
			return false
		})
	}
	if len(declared) == 0 {
		t.Fatal("no watch-* constant found: the test no longer sees the finding IDs")
	}
	slices.Sort(declared)
	slices.Sort(described)
	if !slices.Equal(declared, described) {
		t.Errorf("finding IDs declared %v, described by Rules %v", declared, described)
	}
}
