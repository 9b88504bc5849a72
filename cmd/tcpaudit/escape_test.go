package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// Process names a local user can choose: hostileComm retitles the terminal
// and turns the text red; markupComm is Markdown and HTML at once (a pipe,
// a backtick, emphasis and a tag).
const (
	hostileComm = "\x1b]0;x\a\x1b[31mev"
	markupComm  = "x|y`z*_<b>"
)

// TestSocketsEscapesProcessName: a process whose name holds escape
// sequences owns a CLOSE_WAIT socket; the text of sockets shows the name escaped,
// never the raw bytes.
func TestSocketsEscapesProcessName(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	out := runAsCloseWaitHolder(t, hostileComm, 1, "sockets")
	if strings.ContainsAny(out, "\x1b\a") {
		t.Errorf("raw escape sequence in the output:\n%q", out)
	}
	if !strings.Contains(out, `\x1b]0;x\x07\x1b[31mev`) {
		t.Errorf("the escaped process name is missing:\n%s", out)
	}
}

// TestMarkdownMarkupProcessName: a process under a name made of markup
// holds 110 CLOSE_WAIT sockets in a namespace of its own; check
// --format markdown, rendered by a GFM parser that passes raw HTML, shows
// the name as typed in a code span and lets no tag or emphasis through.
func TestMarkdownMarkupProcessName(t *testing.T) {
	if !nstest.Enter(t) {
		return
	}
	out := runAsCloseWaitHolder(t, markupComm, 110, "check", "--format", "markdown", "--fail-on", "never")
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

// runAsCloseWaitHolder names this process comm (its /proc/self/comm)
// until the test ends, makes it hold n CLOSE_WAIT sockets, and runs the
// command args, which must exit 0; it returns the standard output.
func runAsCloseWaitHolder(t *testing.T, comm string, n int, args ...string) string {
	t.Helper()
	old, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("/proc/self/comm", []byte(comm), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.WriteFile("/proc/self/comm", old, 0) })
	for range n {
		holdCloseWait(t) // owned by this process, under its new name
	}
	code, out, stderr := runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// TestInvalidReleaseEveryFormat: an osrelease with invalid UTF-8 and an
// escape sequence goes through every format: exit 0, no raw escape in
// text or Markdown, the bytes escaped in Prometheus and by serve.
func TestInvalidReleaseEveryFormat(t *testing.T) {
	host := copyHost(t, "hardening-pass")
	if err := os.WriteFile(filepath.Join(host, "sys/kernel/osrelease"), []byte("6.1.0-\xff\xfe\x1b[31mevil\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "junit", "sarif", "prometheus", "markdown"} {
		code, out, stderr := runCLI(t, "check", "--proc-root", host, "--format", format, "--fail-on", "never")
		if code != exitOK || !strings.Contains(out, "evil") {
			t.Errorf("--format %s: exit %d, stderr %q\n%s", format, code, stderr, out)
		}
		if (format == "text" || format == "markdown") && (strings.Contains(out, "\x1b") || strings.Contains(out, "\xff")) {
			t.Errorf("--format %s: raw bytes of the release in the output: %q", format, out)
		}
	}
	_, out, _ := runCLI(t, "check", "--proc-root", host, "--format", "prometheus", "--fail-on", "never")
	if !strings.Contains(out, `kernel="6.1.0-\\xff\\xfe`) {
		t.Errorf("prometheus: invalid bytes not escaped:\n%s", out)
	}
	url, stop := startServe(t, "--proc-root", host)
	mfs := scrape(t, url)
	if v := gauge(t, mfs, "tcpaudit_up", nil); v != 1 || mfs["tcpaudit_info"] == nil || mfs["tcpaudit_rule_status"] == nil {
		t.Errorf("serve: tcpaudit_up %v with tcpaudit_info %v: want 1 with the audit's metrics (tcpaudit_error_info: %v)", v, mfs["tcpaudit_info"] != nil, mfs["tcpaudit_error_info"].GetMetric())
	}
	stop()
}

// TestMalformedSysctlExit2: a sysctl value the kernel never prints is a
// damaged input, exit 2 naming the file, not a finding.
func TestMalformedSysctlExit2(t *testing.T) {
	host := copyHost(t, "hardening-pass")
	file := filepath.Join(host, "sys/net/ipv4/ip_local_port_range")
	if err := os.WriteFile(file, []byte("60999 32768 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "check", "--proc-root", host)
	if code != exitError || !strings.Contains(stderr, file) || out != "" {
		t.Errorf("exit %d, stderr %q, stdout %q; want 2 naming %s", code, stderr, out, file)
	}
}

// copyHost copies a fixture host of rules/testdata/hosts into a temporary
// directory.
func copyHost(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("..", "..", "rules", "testdata", "hosts", name))); err != nil {
		t.Fatal(err)
	}
	return dst
}
