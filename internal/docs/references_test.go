package docs_test

// The citation checks: what the code and the outputs cite in docs/ exists
// (every "docs/kernel-facts.md §N" and "docs/sysctl-d-format.md §N" names a
// section of that file), and no file cites reference material that is not in
// the repository.

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/rules"
)

// citedDocs are the documents cited by section number.
var citedDocs = []string{"kernel-facts", "sysctl-d-format"}

var (
	// heading is "## §12 Title" or "### §1.1 Title".
	heading = regexp.MustCompile(`^#+ §([0-9]+(?:\.[0-9]+)*) \S`)
	// item is a numbered list item, "3. text": §H.3 under heading §H.
	item = regexp.MustCompile(`^([0-9]+)\. \S`)
	// mention is any naming of a cited document, well formed or not.
	mention = regexp.MustCompile(`(?:docs/)?(?:kernel-facts|sysctl-d-format)(?:\.md)?`)
	// citation is a well-formed citation and the section list after it:
	// "docs/kernel-facts.md §1-§3, §11", "docs/sysctl-d-format.md §2 to §6".
	citation = regexp.MustCompile(`docs/(kernel-facts|sysctl-d-format)\.md((?:(?:[ ,;]|-|–|and |to )*§[0-9]+(?:\.[0-9]+)*)*)`)
	section  = regexp.MustCompile(`§([0-9]+(?:\.[0-9]+)*)`)
	// docPath is a path into docs/ named in Go code.
	docPath = regexp.MustCompile(`docs/[A-Za-z0-9_-]+\.md`)
)

// outside are names of material that is not in the repository; nothing may
// cite it.
var outside = []string{"sysctl-truth", "container-cgroups.md", "shared/reference", "/work/shared"}

// scanned are the kinds of files whose text is checked: sources, data, docs
// and golden outputs.
var scanned = map[string]bool{".go": true, ".md": true, ".yaml": true, ".yml": true, ".tsv": true,
	".txt": true, ".json": true, ".sarif": true, ".xml": true}

// anchors returns the section numbers a document defines: its headings and
// the numbered items under each heading.
func anchors(t *testing.T, name string) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "docs", name+".md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]bool)
	current := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := heading.FindStringSubmatch(line); m != nil {
			current = m[1]
			if out[current] {
				t.Errorf("%s.md: §%s defined twice", name, current)
			}
			out[current] = true
		} else if m := item.FindStringSubmatch(line); m != nil && current != "" {
			out[current+"."+m[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s.md defines no sections", name)
	}
	return out
}

// checkText returns one problem per bad citation in text.
func checkText(text string, docs map[string]map[string]bool) []string {
	var problems []string
	for _, m := range mention.FindAllStringIndex(text, -1) {
		s := text[m[0]:m[1]]
		if strings.HasSuffix(text[:m[0]], "](") {
			continue // a Markdown link, which the link check resolves
		}
		if !strings.HasPrefix(s, "docs/") || !strings.HasSuffix(s, ".md") {
			problems = append(problems, fmt.Sprintf("%q: cite the document as docs/NAME.md", s))
		}
	}
	for _, m := range citation.FindAllStringSubmatch(text, -1) {
		for _, s := range section.FindAllStringSubmatch(m[2], -1) {
			if !docs[m[1]][s[1]] {
				problems = append(problems, fmt.Sprintf("%q: docs/%s.md has no §%s", strings.TrimSpace(m[0]), m[1], s[1]))
			}
		}
	}
	for _, o := range outside {
		if strings.Contains(text, o) {
			problems = append(problems, fmt.Sprintf("cites %q, which is not in the repository", o))
		}
	}
	return problems
}

func loadDocs(t *testing.T) map[string]map[string]bool {
	docs := make(map[string]map[string]bool)
	for _, d := range citedDocs {
		docs[d] = anchors(t, d)
	}
	return docs
}

// TestCitationsResolve reads every source, data, document and golden file of
// the repository, line by line.
func TestCitationsResolve(t *testing.T) {
	docs := loadDocs(t)
	self, _ := filepath.Abs("references_test.go")
	cited := 0
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if abs, _ := filepath.Abs(path); abs == self || !scanned[filepath.Ext(path)] {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			cited += len(citation.FindAllString(line, -1))
			for _, p := range checkText(line, docs) {
				t.Errorf("%s:%d: %s", path, i+1, p)
			}
			if filepath.Ext(path) != ".go" {
				continue
			}
			for _, p := range docPath.FindAllString(line, -1) {
				if _, err := os.Stat(filepath.Join(repoRoot, p)); err != nil {
					t.Errorf("%s:%d: %s is not in the repository", path, i+1, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited < 20 {
		t.Errorf("found %d citations; the scan is not reading the repository", cited)
	}
}

// TestRuleReferencesResolve checks the references every rule prints (explain,
// SARIF help, Markdown).
func TestRuleReferencesResolve(t *testing.T) {
	docs := loadDocs(t)
	for _, r := range rules.Catalog() {
		for _, ref := range r.References {
			for _, p := range checkText(ref, docs) {
				t.Errorf("rule %s: %s", r.ID, p)
			}
		}
		for _, p := range checkText(r.Explanation, docs) {
			t.Errorf("rule %s explanation: %s", r.ID, p)
		}
	}
}

// TestCheckTextFindsBadCitations: the checker itself rejects what it must.
func TestCheckTextFindsBadCitations(t *testing.T) {
	docs := loadDocs(t)
	for _, tc := range []struct {
		text string
		bad  bool
	}{
		{"see docs/kernel-facts.md §4", false},
		{"(docs/kernel-facts.md §1-§3, §11)", false},
		{"docs/sysctl-d-format.md §1.1.6", false},
		{"docs/sysctl-d-format.md §2 to §6", false},
		{"kernel-facts §4", true},
		{"kernel-facts.md §15", true},
		{"docs/kernel-facts.md §99", true},
		{"docs/kernel-facts.md §4, §98", true},
		{"docs/sysctl-d-format.md §1.1.40", true},
		{"per_netns in sysctl-truth.tsv", true},
		{"RFC 9293 §3.3.2", false},
	} {
		if got := len(checkText(tc.text, docs)) > 0; got != tc.bad {
			t.Errorf("%q: bad = %v, want %v", tc.text, got, tc.bad)
		}
	}
}
