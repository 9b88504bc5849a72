package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// markupComm is a process name a local user can choose that is Markdown
// and HTML at once: a pipe, a backtick, emphasis and a tag.
const markupComm = "x|y`z*_<b>"

// TestMarkdownMarkupProcessName: a process under a name made of markup
// holds 110 CLOSE_WAIT sockets in a namespace of its own; check
// --format markdown, rendered by a GFM parser that passes raw HTML, shows
// the name as typed in a code span and lets no tag or emphasis through.
func TestMarkdownMarkupProcessName(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	old, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("/proc/self/comm", []byte(markupComm), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.WriteFile("/proc/self/comm", old, 0) })
	for range 110 {
		holdCloseWait(t) // owned by this process, under its name of markup
	}
	code, out, stderr := runCLI(t, "check", "--format", "markdown", "--fail-on", "never")
	if code != exitOK {
		t.Fatalf("check: exit %d: %s", code, stderr)
	}
	var page bytes.Buffer
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	if err := md.Convert([]byte(out), &page); err != nil {
		t.Fatal(err)
	}
	got := page.String()
	want := fmt.Sprintf("pid %d (<code>x|y`z*_&lt;b&gt;</code>) holds 110 sockets", os.Getpid())
	if !strings.Contains(got, want) {
		t.Errorf("rendered page lacks %q:\n%s\nfrom:\n%s", want, got, out)
	}
	for _, tag := range []string{"<b>", "<em>", "<strong>x", "<code>x|y</code>"} {
		if strings.Contains(got, tag) {
			t.Errorf("the process name became markup %q:\n%s", tag, got)
		}
	}
}
