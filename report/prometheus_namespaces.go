package report

import (
	"cmp"
	"slices"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/promtext"
	"github.com/tcpaudit/tcpaudit/rules"
)

// NetnsBound bounds the per-namespace series of a result that covers
// several network namespaces: a namespace other than the host's has series
// of its own when it has unwaived findings or more than MinSockets sockets,
// and at most MaxSeries namespaces have them, those with findings first,
// then the busiest. The others are folded into the totals.
type NetnsBound struct {
	MinSockets int
	MaxSeries  int
}

// DefaultNetnsBound returns the bound of serve and of the prometheus
// format: 100 sockets, 50 namespaces.
func DefaultNetnsBound() NetnsBound { return NetnsBound{MinSockets: 100, MaxSeries: 50} }

// netnsLabels are the labels that say which namespace a series is about:
// its ID, its name for people and kind, and its pod (name and Kubernetes
// namespace) or container where known.
var netnsLabels = []string{"netns", "name", "kind", "pod", "namespace", "container"}

// netnsDescs are the per-namespace series and their totals.
type netnsDescs struct {
	findings, sockets, allSockets, namespaces *promtext.Desc
}

func newNetnsDescs() netnsDescs {
	return netnsDescs{
		findings: promtext.NewDesc("tcpaudit_netns_findings",
			"Unwaived findings in a network namespace other than the host's, by rule and severity (check --all-netns, --netns, serve --all-netns); tcpaudit_findings counts them too.",
			promtext.Gauge, append(slices.Clone(netnsLabels), "rule", "severity")...),
		sockets: promtext.NewDesc("tcpaudit_netns_sockets",
			"TCP sockets by state in a network namespace other than the host's that has series (findings, or more sockets than the bound).",
			promtext.Gauge, append(slices.Clone(netnsLabels), "state")...),
		allSockets: promtext.NewDesc("tcpaudit_netns_all_sockets",
			"TCP sockets by state summed over every audited network namespace, the host's and those folded included.",
			promtext.Gauge, "state"),
		namespaces: promtext.NewDesc("tcpaudit_netns_namespaces",
			"Network namespaces by outcome: audited, skipped (gone or not enterable), folded (audited, but below the bound or beyond the series limit: no series of their own).",
			promtext.Gauge, "outcome"),
	}
}

// nsFinding is what a namespace's findings are counted by.
type nsFinding struct {
	rule string
	sev  rules.Severity
}

// collectNamespaces exports the namespaces of the result, bounded: series
// of their own for those Select picks, totals for all.
func (c *Collector) collectNamespaces(gauge gaugeFunc) {
	if len(c.res.Namespaces) == 0 {
		return
	}
	counts := map[string]map[nsFinding]int{}
	var order []nsFinding
	for _, f := range c.res.Findings {
		if f.Waived != "" || f.Namespace == "" {
			continue
		}
		k := nsFinding{f.Rule, f.Severity}
		if counts[f.Namespace] == nil {
			counts[f.Namespace] = map[nsFinding]int{}
		}
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
		counts[f.Namespace][k]++
	}
	shown := c.bound.Select(c.res.Namespaces, c.res.Findings)
	audited, skipped := 0, 0
	all := map[string]int{}
	for _, n := range c.res.Namespaces {
		if n.Skipped != "" {
			skipped++
			continue
		}
		audited++
		if n.Sockets != nil {
			for st, v := range n.Sockets.States {
				all[st] += v
			}
		}
	}
	for _, n := range shown {
		labels := namespaceLabels(n)
		for _, k := range order {
			if v := counts[n.ID][k]; v > 0 {
				gauge(c.netns.findings, float64(v), append(labels, k.rule, k.sev.String())...)
			}
		}
		if n.Sockets != nil {
			for _, st := range audit.States() {
				gauge(c.netns.sockets, float64(n.Sockets.States[st.String()]), append(labels, st.String())...)
			}
		}
	}
	for _, st := range audit.States() {
		gauge(c.netns.allSockets, float64(all[st.String()]), st.String())
	}
	folded := audited - len(shown)
	if slices.ContainsFunc(c.res.Namespaces, func(n rules.Namespace) bool { return n.Kind == "host" && n.Skipped == "" }) {
		folded-- // the host's series are the unlabelled ones
	}
	gauge(c.netns.namespaces, float64(audited), "audited")
	gauge(c.netns.namespaces, float64(skipped), "skipped")
	gauge(c.netns.namespaces, float64(folded), "folded")
}

// namespaceLabels are the values of netnsLabels for n.
func namespaceLabels(n rules.Namespace) []string {
	container := n.ContainerID
	if len(container) > 12 {
		container = container[:12]
	}
	return []string{n.ID, n.Name, string(n.Kind), n.PodName, n.PodNamespace, container}
}

// Select returns the namespaces other than the host's, audited, that get
// series of their own under b: those with unwaived findings or more than
// MinSockets sockets, at most MaxSeries. The most severe come first: a
// namespace with one critical finding outranks one with many infos; then by
// the number of findings at that severity, then by sockets.
func (b NetnsBound) Select(nss []rules.Namespace, findings []rules.Finding) []rules.Namespace {
	type rank struct {
		worst rules.Severity
		count int
	}
	found := map[string]rank{}
	for _, f := range findings {
		if f.Waived != "" || f.Namespace == "" {
			continue
		}
		r := found[f.Namespace]
		switch {
		case f.Severity > r.worst:
			r = rank{f.Severity, 1}
		case f.Severity == r.worst:
			r.count++
		}
		found[f.Namespace] = r
	}
	var out []rules.Namespace
	for _, n := range nss {
		if n.Kind == "host" || n.Skipped != "" {
			continue
		}
		if found[n.ID].count > 0 || socketCount(n) > b.MinSockets {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(x, y rules.Namespace) int {
		rx, ry := found[x.ID], found[y.ID]
		return cmp.Or(cmp.Compare(ry.worst, rx.worst), cmp.Compare(ry.count, rx.count),
			cmp.Compare(socketCount(y), socketCount(x)), cmp.Compare(x.ID, y.ID))
	})
	return out[:min(len(out), max(b.MaxSeries, 0))]
}

// socketCount is the socket count of n, 0 when no census was taken.
func socketCount(n rules.Namespace) int {
	if n.Sockets == nil {
		return 0
	}
	return n.Sockets.Total
}
