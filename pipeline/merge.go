package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tcpaudit/tcpaudit/netns"
	"github.com/tcpaudit/tcpaudit/rules"
)

// Merge returns the one result of the audits of several namespaces, as
// every report format takes it: the host's result (sockets, sources; when
// the host's was not audited, the first audited namespace's), with the
// findings of every namespace in one list, each carrying its namespace's
// ID (none for the host's); a rule failed when it failed in any namespace;
// the notes of the other namespaces after the host's, each once with the
// namespaces that have it; and
// Namespaces describing each one, skipped ones with the reason.
func Merge(audits []NamespaceAudit) rules.Result {
	var res rules.Result
	base := slices.IndexFunc(audits, func(a NamespaceAudit) bool { return a.Namespace.IsHost() && a.Audit != nil })
	if base < 0 {
		base = slices.IndexFunc(audits, func(a NamespaceAudit) bool { return a.Audit != nil })
	}
	if base >= 0 {
		res = audits[base].Audit.Result
		res.Findings = tagged(res.Findings, audits[base].Namespace)
	}
	res.Evaluations = slices.Clone(res.Evaluations)
	res.Notes = slices.Clone(res.Notes)
	notes := map[string][]string{} // note → the namespaces that have it
	var order []string
	for i, a := range audits {
		var own rules.Result
		if a.Audit != nil {
			own = a.Audit.Result
		}
		n := rules.NamespaceOf(a.Namespace, own, a.Skipped)
		n.Census = a.Census
		res.Namespaces = append(res.Namespaces, n)
		if a.Audit == nil || i == base {
			continue
		}
		mergeChild(&res, a, own)
		for _, n := range own.Notes {
			if notes[n] == nil {
				order = append(order, n)
			}
			notes[n] = append(notes[n], a.Namespace.String())
		}
	}
	for _, n := range order {
		res.Notes = append(res.Notes, namespaceList(notes[n])+": "+n)
	}
	addSkips(&res, audits, base)
	rules.SortFindings(res.Findings)
	return res
}

// namespaceList names the namespaces a note is about: the one, or how
// many with the first three.
func namespaceList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	shown := names
	if len(names) > 4 {
		shown = append(names[:3:3], fmt.Sprintf("and %d more", len(names)-3))
	}
	return fmt.Sprintf("%d namespaces (%s)", len(names), strings.Join(shown, ", "))
}

// tagged returns a copy of findings carrying the ID of ns, none for the
// host's.
func tagged(findings []rules.Finding, ns netns.Namespace) []rules.Finding {
	out := slices.Clone(findings)
	if !ns.IsHost() {
		for i := range out {
			out[i].Namespace = ns.ID
		}
	}
	return out
}

// mergeChild adds the result own of a namespace that is not the host's.
func mergeChild(res *rules.Result, a NamespaceAudit, own rules.Result) {
	if res.Profile == "" {
		res.Profile, res.Kernel = own.Profile, own.Kernel
	}
	res.Findings = append(res.Findings, tagged(own.Findings, a.Namespace)...)
	if len(res.Evaluations) == 0 {
		res.Evaluations = slices.Clone(own.Evaluations)
	}
	for i, e := range own.Evaluations {
		if e.Status == rules.Failed && i < len(res.Evaluations) && res.Evaluations[i].Rule == e.Rule {
			res.Evaluations[i].Status, res.Evaluations[i].Reason = rules.Failed, ""
		}
	}
}
