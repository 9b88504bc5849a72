package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// foldShown is how many names a folded finding lists before "and N more".
const foldShown = 3

// namespaces writes the findings of a result over several network
// namespaces: the host's first, then each finding that is the same in
// several namespaces (foldKey) once, with their names, then a
// section for each namespace with the rest of its findings.
func (t Text) namespaces(ew *errWriter, p palette, res rules.Result) {
	byID := make(map[string]rules.Namespace, len(res.Namespaces))
	for _, n := range res.Namespaces {
		byID[n.ID] = n
	}
	var host, others []rules.Finding
	for _, f := range res.Findings {
		if f.Namespace == "" {
			host = append(host, f)
		} else {
			others = append(others, f)
		}
	}
	if _, ok := byID[netns.HostID]; ok {
		ew.printf("\n%s\n", p.bold.Sprint("Host namespace"))
		if len(host) == 0 {
			ew.printf("  no findings\n")
		}
		t.groups(ew, p, host, "")
	}
	folded, rest := fold(others)
	shown := namespaceNames(res)
	if len(folded) > 0 {
		ew.printf("\n%s\n", p.bold.Sprint("The same in several namespaces"))
	}
	for _, g := range folded {
		names := make([]string, len(g.ids))
		kinds := make([]netns.Kind, len(g.ids))
		for i, id := range g.ids {
			names[i], kinds[i] = shown[id], byID[id].Kind
		}
		ew.printf("\n%s\n", wrap(fmt.Sprintf("%s fails in %d %s: %s", g.first.Rule, len(g.ids), kindsNoun(kinds), shortList(names)), "  ", "    "))
		t.finding(ew, p, g.first)
	}
	for _, n := range res.Namespaces {
		if found := rest[n.ID]; len(found) > 0 && n.ID != netns.HostID {
			ew.printf("\n%s\n", p.bold.Sprint("Namespace "+namespaceLabel(n)))
			t.groups(ew, p, found, "  ")
		}
	}
	// One namespace audited (--netns) says which, findings or none.
	if n := res.Namespaces; len(n) == 1 && n[0].ID != netns.HostID && n[0].Skipped == "" && len(others) == 0 {
		ew.printf("\n%s\n  no findings\n", p.bold.Sprint("Namespace "+namespaceLabel(n[0])))
	}
}

// foldGroup is one finding found alike in several namespaces.
type foldGroup struct {
	first rules.Finding
	ids   []string
}

// fold splits findings into those alike (foldKey) in
// two or more namespaces, in order of first appearance, and the rest by
// namespace.
func fold(findings []rules.Finding) ([]foldGroup, map[string][]rules.Finding) {
	groups := map[string]*foldGroup{}
	var order []string
	for _, f := range findings {
		k := foldKey(f)
		if g := groups[k]; g != nil {
			g.ids = append(g.ids, f.Namespace)
			continue
		}
		groups[k] = &foldGroup{first: f, ids: []string{f.Namespace}}
		order = append(order, k)
	}
	var folded []foldGroup
	rest := map[string][]rules.Finding{}
	for _, k := range order {
		g := groups[k]
		if len(g.ids) > 1 {
			folded = append(folded, *g)
			continue
		}
		rest[g.first.Namespace] = append(rest[g.first.Namespace], g.first)
	}
	return folded, rest
}

// foldKey is what makes two findings alike: everything but the namespace
// (title, observed and expected values, evidence, subjects, fix and the
// processes it names, waiver). Findings that differ in any of these are
// each shown under their namespace, so no namespace's value or owner is
// hidden behind another's.
func foldKey(f rules.Finding) string {
	f.Namespace = ""
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Sprintf("%#v", f) // a NaN in the evidence: compare every field
	}
	return string(b)
}

// shortList lists the first names and how many more there are, and
// where they all are: "a, b, c, and 34 more (all in --format json)". A
// namespace named only among the more has no other place in the text.
func shortList(names []string) string {
	if len(names) <= foldShown+1 {
		return strings.Join(names, ", ")
	}
	return SomeOf(names, foldShown) + " (all in --format json)"
}

// SomeOf joins the first shown items and says how many more there are:
// "a, b, c, and 4 more".
func SomeOf(items []string, shown int) string {
	parts := slices.Clone(items[:min(len(items), shown)])
	if n := len(items) - shown; n > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", n))
	}
	return strings.Join(parts, ", ")
}

// kindsNoun names what the folded namespaces are: "pods" or "containers"
// when all are, else "namespaces".
func kindsNoun(kinds []netns.Kind) string {
	if k := kinds[0]; (k == netns.KindPod || k == netns.KindContainer) && !slices.ContainsFunc(kinds, func(o netns.Kind) bool { return o != k }) {
		return string(k) + "s"
	}
	return "namespaces"
}

// NamespaceHeading is the heading of a namespace's section in the
// commands that print one section per namespace (sockets, tune): "==
// host ==", "== NAME (kind, runtime, pod NS/NAME, ID) ==", with the label
// check --all-netns gives the namespace, made safe to print.
func NamespaceHeading(ns netns.Namespace) string {
	return "== " + namespaceLabel(escaped(rules.NamespaceOf(ns, rules.Result{}, ""))) + " =="
}

// namespaceLabel names a namespace with its kind, runtime and ID.
func namespaceLabel(n rules.Namespace) string {
	if n.ID == netns.HostID {
		return "host"
	}
	parts := []string{string(n.Kind)}
	if n.Runtime != "" {
		parts = append(parts, n.Runtime)
	}
	if n.PodNamespace != "" && n.PodName != "" {
		parts = append(parts, "pod "+n.PodNamespace+"/"+n.PodName)
	}
	parts = append(parts, n.ID)
	return fmt.Sprintf("%s (%s)", n.Name, strings.Join(parts, ", "))
}

// namespaceSummary is the last line of a report over several namespaces:
// "N namespaces audited, K skipped (reasons), F with failing rules".
func namespaceSummary(nss []rules.Namespace) string {
	audited, failed := 0, 0
	reasons := map[string]int{}
	for _, n := range nss {
		switch {
		case n.Skipped != "":
			reasons[n.Skipped]++
		default:
			audited++
			if n.Failed > 0 {
				failed++
			}
		}
	}
	line := fmt.Sprintf("%s audited", plural(audited, "network namespace"))
	if skipped := len(nss) - audited; skipped > 0 {
		line += fmt.Sprintf(", %d skipped (%s)", skipped, netns.SkipReasons(reasons))
	} else {
		line += ", 0 skipped"
	}
	return line + fmt.Sprintf(", %d with failing rules", failed)
}

// plural is "1 noun" or "N nouns".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
