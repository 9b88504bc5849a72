package report

import (
	"slices"

	"github.com/tcpaudit/tcpaudit/internal/promtext"
	"github.com/tcpaudit/tcpaudit/rules"
)

// conntrackLabels are the variable labels of a conntrack series. The
// conntrack count and its events are per network namespace, so a result of
// several namespaces (perNetns) starts every series with "netns", with the
// same bound as the namespaces' own series (NetnsBound).
func conntrackLabels(perNetns bool, extra ...string) []string {
	if perNetns {
		return append([]string{"netns"}, extra...)
	}
	return append([]string{}, extra...)
}

// conntrackDescs are the conntrack table's series.
type conntrackDescs struct {
	entries, limit, ratio, events, rate *promtext.Desc
	perNetns                            bool
}

func newConntrackDescs(perNetns bool) conntrackDescs {
	return conntrackDescs{perNetns: perNetns,
		entries: promtext.NewDesc("tcpaudit_conntrack_entries",
			"Entries in the connection-tracking table of the audited network namespace (net.netfilter.nf_conntrack_count).",
			promtext.Gauge, conntrackLabels(perNetns)...),
		limit: promtext.NewDesc("tcpaudit_conntrack_entries_limit",
			"The table's limit, net.netfilter.nf_conntrack_max (global; each namespace's count is compared with it).",
			promtext.Gauge, conntrackLabels(perNetns)...),
		ratio: promtext.NewDesc("tcpaudit_conntrack_used_ratio",
			"tcpaudit_conntrack_entries / tcpaudit_conntrack_entries_limit; packets of new flows are dropped at 1.",
			promtext.Gauge, conntrackLabels(perNetns)...),
		events: promtext.NewDesc("tcpaudit_conntrack_events_total",
			"Flows refused or evicted since boot, from net/stat/nf_conntrack summed over CPUs: drop (table full), early_drop (an unassured entry evicted), insert_failed.",
			promtext.Counter, conntrackLabels(perNetns, "event")...),
		rate: promtext.NewDesc("tcpaudit_conntrack_events_rate",
			"The same events per second between the run's samples; absent without samples.",
			promtext.Gauge, conntrackLabels(perNetns, "event")...),
	}
}

// collectConntrack sends the conntrack series of the result: the host's,
// and with several namespaces those of each namespace that has series of
// its own.
func (c *Collector) collectConntrack(s *promtext.Set, gauge gaugeFunc) {
	if !c.conntrack.perNetns {
		c.conntrack.collect(s, gauge, c.res.Conntrack)
		return
	}
	base := baseNamespace(c.res.Namespaces)
	c.conntrack.collect(s, gauge, c.res.Conntrack, base)
	for _, n := range c.bound.Select(c.res.Namespaces, c.res.Findings) {
		if n.ID != base {
			c.conntrack.collect(s, gauge, n.Conntrack, n.ID)
		}
	}
}

// baseNamespace is the ID of the namespace whose result the merged result
// carries (pipeline.Merge): the host's when it was audited, else the first
// audited one (check --netns X names X).
func baseNamespace(nss []rules.Namespace) string {
	audited := func(n rules.Namespace) bool { return n.Skipped == "" }
	if slices.ContainsFunc(nss, func(n rules.Namespace) bool { return n.Kind == "host" && audited(n) }) {
		return "host"
	}
	if i := slices.IndexFunc(nss, audited); i >= 0 {
		return nss[i].ID
	}
	return "host"
}

// collect sends the series of u, labelled with ns (the netns label, or
// none); nothing when conntrack was not read.
func (d conntrackDescs) collect(s *promtext.Set, gauge gaugeFunc, u *rules.ConntrackUsage, ns ...string) {
	if u == nil {
		return
	}
	gauge(d.entries, float64(u.Count), ns...)
	gauge(d.limit, float64(u.Max), ns...)
	gauge(d.ratio, u.Share, ns...)
	for _, ev := range rules.ConntrackEvents() {
		s.Add(d.events, float64(u.Totals[ev]), append(slices.Clone(ns), ev)...)
		if r, ok := u.Rates[ev]; ok {
			gauge(d.rate, r, append(slices.Clone(ns), ev)...)
		}
	}
}
