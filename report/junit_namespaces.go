package report

import (
	"slices"

	"github.com/tcpaudit/tcpaudit/rules"
)

// junitGroup is the findings of one rule in one namespace that is not the
// host's: one test case, named "RULE [NAME]".
type junitGroup struct {
	name, category string
	found          []rules.Finding
}

// namespaceCases groups the findings about namespaces other than the
// host's by rule and namespace, in the order of found. A rule that fails
// in the host's namespace and in two others makes three test cases: the
// rule's own, about the host, and one per namespace.
func namespaceCases(res rules.Result, found []rules.Finding) []junitGroup {
	names := namespaceNames(res)
	category := make(map[string]string, len(res.Evaluations))
	for _, e := range res.Evaluations {
		category[e.Rule] = e.Category
	}
	index := map[[2]string]int{}
	var out []junitGroup
	for _, f := range found {
		k := [2]string{f.Rule, f.Namespace}
		if i, ok := index[k]; ok {
			out[i].found = append(out[i].found, f)
			continue
		}
		name := names[f.Namespace]
		if name == "" {
			name = f.Namespace
		}
		index[k] = len(out)
		out = append(out, junitGroup{name: f.Rule + " [" + name + "]", category: category[f.Rule], found: []rules.Finding{f}})
	}
	return out
}

// failsElsewhere reports whether rule has findings in found, the findings
// about namespaces other than the host's.
func failsElsewhere(rule string, found []rules.Finding) bool {
	return slices.ContainsFunc(found, func(f rules.Finding) bool { return f.Rule == rule })
}

// namespaceSkips are the skipped test cases of the namespaces whose
// evaluations the result does not list: one per rule and namespace,
// named "RULE [NAME]", with the reason.
func namespaceSkips(res rules.Result) []junitCase {
	var out []junitCase
	names := namespaceNames(res)
	for _, n := range res.Namespaces {
		for _, e := range n.SkippedRules {
			out = append(out, junitCase{Name: e.Rule + " [" + names[n.ID] + "]", Classname: classname(res, e.Rule, e.Category), Time: "0", Skipped: &junitMessage{Message: e.Reason}})
		}
	}
	return out
}
