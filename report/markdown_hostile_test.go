package report

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// hostileNames are names a process, namespace, container, interface or
// file may carry, each aimed at one Markdown or GFM construct.
var hostileNames = []string{
	"x|y`z*_<b>",
	"<img src=x onerror=alert(1)>",
	"</details><script>alert(1)</script>",
	"<!-- c --> <http://evil.example>",
	"``a`` *em* _em_ __strong__ ~~del~~ ~del~",
	"[link](http://evil.example) ![img](http://evil.example/i.png)",
	"[ref]: http://evil.example",
	"http://evil.example/ www.evil.example WWW.evil.example a@evil.example",
	"&lt;b&gt; &amp; &#60;i&#62;",
	"# heading", "- item", "+ item", "1. item", "12) item", "> quote",
	"---", "***", "___", "=",
	"6.1 #", "a\\", "`", "\\*not em\\*", "_a_b_", "x _a_ y",
}

// hostileResult is a result whose every system-supplied text, in every
// place the Markdown report prints one, is name(i) for a distinct i, and
// the number of texts.
func hostileResult(name func(int) string) (rules.Result, int) {
	i := 0
	next := func() string { i++; return name(i - 1) }
	res := rules.Result{Profile: next(), Kernel: next(), Config: next(), Notes: []string{next()}}
	res.Namespaces = []rules.Namespace{{ID: "net:[1]", Identity: netns.Identity{Name: next()}}, {ID: "net:[2]", Skipped: next()}}
	res.Evaluations = []rules.Evaluation{{Rule: next(), Status: rules.Skipped, Reason: next()}}
	f := rules.Finding{Rule: next(), Severity: rules.Warning, Title: next(), Observed: next(), Expected: next(), Explanation: next(), Waived: next(),
		Namespace: "net:[1]", Location: &rules.Location{File: next()},
		Fix: rules.Fix{Advice: next(), Processes: []audit.Owner{{PID: 1, Command: next(), Sockets: 110}}}}
	g := f
	g.Fix.Sysctl = map[string]string{"net.core.somaxconn": next()}
	res.Findings = []rules.Finding{f, g}
	return res, i
}

// TestMarkdownHostileNames renders, for each hostile name, a result that
// carries it in every place, with a GFM parser that lets raw HTML through
// as the source would reach a renderer: the HTML must hold exactly the
// elements of the same result with plain names (no tag, emphasis, link,
// code span or block from a name), and the name must read as given in
// every place.
func TestMarkdownHostileNames(t *testing.T) {
	plain, _ := hostileResult(func(i int) string { return fmt.Sprintf("plain%d", i) })
	for _, name := range hostileNames {
		res, _ := hostileResult(func(int) string { return name })
		compareHostile(t, name, plain, res)
		// Without a configuration file the kernel release ends the title.
		short := plain
		short.Config, res.Config = "", ""
		compareHostile(t, name, short, res)
	}
}

// compareHostile compares the HTML of res, which carries name where plain
// carries plainN: the same elements, and name in at least as many places
// of the text as plain names.
func compareHostile(t *testing.T, name string, plain, res rules.Result) {
	t.Helper()
	tag := regexp.MustCompile(`<[^>]*>`)
	want, hostile := gfmHTML(t, plain), gfmHTML(t, res)
	if d := cmp.Diff(tag.FindAllString(want, -1), tag.FindAllString(hostile, -1)); d != "" {
		t.Errorf("%q: elements differ from plain names' (-plain +hostile):\n%s\n%s", name, d, hostile)
	}
	places := len(regexp.MustCompile(`plain\d+`).FindAllString(want, -1))
	if strings.Contains(name, ". ") {
		places-- // the fix column shows the advice up to its first ". "
	}
	text := html.UnescapeString(tag.ReplaceAllString(hostile, "\n"))
	if n := strings.Count(text, name); n < places {
		t.Errorf("%q reads as given in %d places, want %d:\n%s", name, n, places, hostile)
	}
}

func gfmHTML(t *testing.T, res rules.Result) string {
	t.Helper()
	var src, out bytes.Buffer
	if err := (Markdown{}).Write(&src, res); err != nil {
		t.Fatal(err)
	}
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := md.Convert(src.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
