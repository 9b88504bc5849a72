package report

import (
	"github.com/tcpaudit/tcpaudit/rules"
)

// collectNamespaces exports the unwaived findings of each namespace other
// than the host's, one series per namespace, rule and severity found: only
// namespaces with findings have series.
func (c *Collector) collectNamespaces(gauge gaugeFunc) {
	type key struct {
		ns   string
		rule string
		sev  rules.Severity
	}
	counts := map[key]int{}
	var order []key
	for _, f := range c.res.Findings {
		if f.Waived != "" || f.Namespace == "" {
			continue
		}
		k := key{f.Namespace, f.Rule, f.Severity}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	byID := make(map[string]rules.Namespace, len(c.res.Namespaces))
	for _, n := range c.res.Namespaces {
		byID[n.ID] = n
	}
	for _, k := range order {
		n := byID[k.ns]
		gauge(c.netnsFindings, float64(counts[k]), k.ns, n.Name, string(n.Kind), k.rule, k.sev.String())
	}
}
