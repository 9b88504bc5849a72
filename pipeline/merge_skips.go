package pipeline

import (
	"strings"

	"github.com/tcpaudit/tcpaudit/rules"
)

// addSkips records, on each namespace of res but the one at base (whose
// evaluations res lists), the rules skipped in it, and adds one note for
// each set of rules skipped as host-wide (judged once, with the host's
// namespace), naming the namespaces that skipped them. res.Namespaces is
// in the order of audits.
func addSkips(res *rules.Result, audits []NamespaceAudit, base int) {
	byRules := map[string][]string{} // rules skipped as host-wide → the namespaces
	var order []string
	for i, a := range audits {
		if a.Audit == nil || i == base {
			continue
		}
		var wide []string
		for _, e := range a.Audit.Result.Evaluations {
			if e.Status != rules.Skipped {
				continue
			}
			res.Namespaces[i].SkippedRules = append(res.Namespaces[i].SkippedRules, e)
			if e.HostWide {
				wide = append(wide, e.Rule)
			}
		}
		if len(wide) == 0 {
			continue
		}
		k := strings.Join(wide, ", ")
		if byRules[k] == nil {
			order = append(order, k)
		}
		byRules[k] = append(byRules[k], a.Namespace.String())
	}
	for _, k := range order {
		res.Notes = append(res.Notes, namespaceList(byRules[k])+": "+k+" skipped: "+
			"host-wide (global keys: one value for every network namespace), judged once, with the host namespace")
	}
}
