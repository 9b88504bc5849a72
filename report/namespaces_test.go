package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
)

// namespacesResult merges the audits of fixture hosts as if they were the
// namespaces of one host: the host's (healthy), five whose ports run out
// (port-exhaustion: the same findings in each), one with a CLOSE_WAIT
// leak whose name holds an escape sequence, and one skipped.
func namespacesResult(t testing.TB) rules.Result {
	audits := []pipeline.NamespaceAudit{{
		Namespace: netns.Namespace{ID: netns.HostID, Inode: 1, Identity: netns.Identity{Kind: netns.KindHost, Name: "host"}},
		Audit:     &pipeline.Audit{Result: hostResult(t, "healthy")},
	}}
	ports := hostResult(t, "port-exhaustion")
	for i := range 5 {
		audits = append(audits, pipeline.NamespaceAudit{
			Namespace: netns.Namespace{ID: fmt.Sprintf("net:[%d]", 10+i), Inode: uint64(10 + i), PIDs: []int{100 + i}, Identity: netns.Identity{Kind: netns.KindNamed, Name: fmt.Sprintf("ns%d", i)}},
			Audit:     &pipeline.Audit{Result: ports},
		})
	}
	audits = append(audits, pipeline.NamespaceAudit{
		Namespace: netns.Namespace{ID: "net:[20]", Inode: 20, PIDs: []int{200}, Identity: netns.Identity{Kind: netns.KindProcess, Name: "evil\x1b[31m[200]"}},
		Audit:     &pipeline.Audit{Result: hostResult(t, "close-wait-leak")},
	}, pipeline.NamespaceAudit{
		Namespace: netns.Namespace{ID: "net:[30]", Inode: 30, PIDs: []int{300}, Identity: netns.Identity{Kind: netns.KindProcess, Name: "sleep[300]"}},
		Skipped:   "gone: its processes exited before it could be entered",
	})
	return pipeline.Merge(audits)
}

// TestTextNamespaces: the host's findings first, the findings alike in
// the five namespaces folded into one line each, the others under their
// namespace, the name's escape sequence made visible, and the summary of
// namespaces last.
func TestTextNamespaces(t *testing.T) {
	res := namespacesResult(t)
	var b bytes.Buffer
	if err := (Text{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	ports := hostResult(t, "port-exhaustion")
	if len(ports.Findings) == 0 {
		t.Fatal("port-exhaustion has no findings")
	}
	flat := strings.Join(strings.Fields(out), " ") // lines are wrapped
	for _, f := range ports.Findings {
		line := f.Rule + " fails in 5 namespaces: ns0, ns1, ns2, and 2 more (all in --format json)"
		if strings.Count(flat, line) != 1 {
			t.Errorf("want once %q in:\n%s", line, out)
		}
	}
	for _, want := range []string{
		"Host namespace\n",
		"Namespace evil\\x1b[31m[200] (process, net:[20])",
		"7 network namespaces audited, 1 skipped (1 gone: its processes exited before it could be entered), 6 with failing rules",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in:\n%s", want, out)
		}
	}
	if strings.ContainsRune(out, 0x1b) {
		t.Error("an escape character reached the text report")
	}
	if i, j := strings.Index(out, "Host namespace"), strings.Index(out, "Namespace evil"); i < 0 || j < i {
		t.Errorf("the host's section is not first:\n%s", out)
	}
}

// TestFormatsNamespaces: each finding about another namespace carries it
// in JSON, SARIF (properties and qualified logical locations), JUnit (a
// test case per rule and namespace) and Prometheus (one series per
// namespace, rule and severity), and the host's findings do not.
func TestFormatsNamespaces(t *testing.T) {
	res := namespacesResult(t)
	cw := res.Findings[slicesIndex(res.Findings, "close-wait-accumulation")]
	if cw.Namespace != "net:[20]" {
		t.Fatalf("close-wait-accumulation in %q, want net:[20]", cw.Namespace)
	}
	var b bytes.Buffer
	if err := (SARIF{Hostname: "h"}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"namespace": "net:[20]"`, `"fullyQualifiedName": "h/netns/ns0/`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("SARIF lacks %s", want)
		}
	}
	b.Reset()
	if err := (JUnit{Now: testOptions.Now, Hostname: "h"}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testcase"`
	}
	if err := xml.Unmarshal(b.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, c := range suites.Cases {
		failed[c.Name] = c.Failure != nil
	}
	if !failed[`close-wait-accumulation [evil\x1b[31m[200]]`] {
		t.Errorf("JUnit: no failing case for close-wait-accumulation in evil[200]: %v", failed)
	}
	if failed["close-wait-accumulation"] {
		t.Error("JUnit: the host's case of close-wait-accumulation fails, yet the host has no such finding")
	}
	b.Reset()
	if err := (Prometheus{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	mfs := parseProm(t, b.Bytes())
	if v, ok := value(mfs, "tcpaudit_netns_findings", map[string]string{"netns": "net:[12]", "name": "ns2", "kind": "named", "rule": res.Findings[slicesIndex(res.Findings, "ephemeral-port-exhaustion")].Rule}); !ok || v != 1 {
		t.Errorf("tcpaudit_netns_findings for ns2: %v, %v", v, ok)
	}
	if n := len(mfs["tcpaudit_netns_findings"].GetMetric()); n == 0 {
		t.Error("no tcpaudit_netns_findings series")
	}
}

// slicesIndex is the index of the first finding of rule, -1 when none.
func slicesIndex(found []rules.Finding, rule string) int {
	for i, f := range found {
		if f.Rule == rule {
			return i
		}
	}
	return -1
}

// TestKindsNoun: a fold says "pods" or "containers" when every namespace
// folded is one, else "namespaces".
func TestKindsNoun(t *testing.T) {
	for _, c := range []struct {
		kinds []netns.Kind
		want  string
	}{
		{[]netns.Kind{netns.KindPod, netns.KindPod}, "pods"},
		{[]netns.Kind{netns.KindContainer, netns.KindContainer, netns.KindContainer}, "containers"},
		{[]netns.Kind{netns.KindPod, netns.KindContainer}, "namespaces"},
		{[]netns.Kind{netns.KindNamed, netns.KindNamed}, "namespaces"},
		{[]netns.Kind{netns.KindProcess, netns.KindPod}, "namespaces"},
	} {
		if got := kindsNoun(c.kinds); got != c.want {
			t.Errorf("kindsNoun(%v) = %q, want %q", c.kinds, got, c.want)
		}
	}
}

// TestMarkdownDetailsNamespaces: each finding's details name its
// namespace in the summary, and a sysctl fix of a namespace other than the
// host's says it is set inside the namespace, not in the host's
// /etc/sysctl.d; the host's findings say neither.
func TestMarkdownDetailsNamespaces(t *testing.T) {
	res := namespacesResult(t)
	var b bytes.Buffer
	if err := (Markdown{}).Write(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	guestSysctl := 0
	for _, block := range strings.Split(out, "<details>")[1:] {
		summary, _, _ := strings.Cut(block, "</summary>")
		inside := strings.Contains(block, "set inside the namespace")
		named := strings.Contains(summary, "</code> in ")
		hasSysctl := strings.Contains(block, "```ini")
		if !named && inside {
			t.Errorf("a finding of the host's namespace is said to be set inside a namespace:\n%s", block)
		}
		if named && hasSysctl && !inside {
			t.Errorf("a namespace's sysctl fix reads as a drop-in:\n%s", block)
		}
		if named && hasSysctl {
			guestSysctl++
		}
	}
	if guestSysctl == 0 {
		t.Error("no finding of another namespace has a sysctl fix: the test looks at nothing")
	}
	for _, want := range []string{"<code>ephemeral-port-exhaustion</code> in ns0:", "<code>close-wait-accumulation</code> in evil"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks the summary %q", want)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("an escape sequence reached the markdown")
	}
}

// TestTextOneNamespaceNoFindings: a run of one namespace (--netns) with
// no findings says which namespace it audited; a run of several says
// nothing of those without findings.
func TestTextOneNamespaceNoFindings(t *testing.T) {
	one := pipeline.Merge([]pipeline.NamespaceAudit{{
		Namespace: netns.Namespace{ID: "net:[40]", Inode: 40, PIDs: []int{400}, Identity: netns.Identity{Kind: netns.KindNamed, Name: "quiet"}},
		Audit:     &pipeline.Audit{Result: hostResult(t, "healthy")},
	}})
	if len(one.Findings) != 0 {
		t.Fatalf("the healthy host has %d findings", len(one.Findings))
	}
	var b bytes.Buffer
	if err := (Text{}).Write(&b, one); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Namespace quiet (named, net:[40])\n  no findings\n") {
		t.Errorf("one namespace without findings is not named:\n%s", b.String())
	}
	b.Reset()
	if err := (Text{}).Write(&b, namespacesResult(t)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Namespace sleep[300]") || strings.Count(b.String(), "no findings") != 1 {
		t.Errorf("several namespaces: a namespace without findings has a section:\n%s", b.String())
	}
}
