package pipeline_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/pipeline"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestMergeSkipsPerNamespace: Merge keeps the rules skipped in each
// namespace but the host's (whose evaluations the result lists), and
// folds the host-wide skips into one note naming the namespaces.
func TestMergeSkipsPerNamespace(t *testing.T) {
	wide := rules.Evaluation{Rule: "orphan-pressure", Status: rules.Skipped, HostWide: true,
		Reason: "net.ipv4.tcp_max_orphans is host-wide (a global key: one value for every network namespace): judged once, with the host namespace"}
	other := rules.Evaluation{Rule: "conntrack-usage", Status: rules.Skipped, Reason: "net/stat/nf_conntrack: absent"}
	passed := rules.Evaluation{Rule: "fin-timeout", Status: rules.Passed}
	child := func(name string, inode uint64, evals ...rules.Evaluation) pipeline.NamespaceAudit {
		ns := netns.Namespace{ID: "net:[" + name + "]", Inode: inode}
		ns.Kind, ns.Name = netns.KindNamed, name
		return pipeline.NamespaceAudit{Namespace: ns, Audit: &pipeline.Audit{Result: rules.Result{Evaluations: evals}}}
	}
	host := netns.Namespace{ID: netns.HostID, Inode: 1}
	host.Kind, host.Name = netns.KindHost, "host"
	res := pipeline.Merge([]pipeline.NamespaceAudit{
		{Namespace: host, Audit: &pipeline.Audit{Result: rules.Result{Evaluations: []rules.Evaluation{passed, other}}}},
		child("a", 2, passed, wide, other),
		child("b", 3, wide),
		child("c", 4, passed),
	})
	got := map[string][]rules.Evaluation{}
	for _, n := range res.Namespaces {
		got[n.Name] = n.SkippedRules
	}
	want := map[string][]rules.Evaluation{"host": nil, "a": {wide, other}, "b": {wide}, "c": nil}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("skipped rules by namespace (-want +got):\n%s", d)
	}
	var notes []string
	for _, n := range res.Notes {
		if strings.Contains(n, "judged once, with the host namespace") {
			notes = append(notes, n)
		}
	}
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "2 namespaces (a (net:[a]), b (net:[b])): orphan-pressure skipped: host-wide") {
		t.Errorf("notes of the host-wide skips: %q; want one naming a and b", notes)
	}
}
