package report

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"

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
	entries, limit, ratio, events, rate *prometheus.Desc
	perNetns                            bool
}

func newConntrackDescs(perNetns bool) conntrackDescs {
	return conntrackDescs{perNetns: perNetns,
		entries: prometheus.NewDesc("tcpaudit_conntrack_entries",
			"Entries in the connection-tracking table of the audited network namespace (net.netfilter.nf_conntrack_count).",
			conntrackLabels(perNetns), nil),
		limit: prometheus.NewDesc("tcpaudit_conntrack_entries_limit",
			"The table's limit, net.netfilter.nf_conntrack_max (global; each namespace's count is compared with it).",
			conntrackLabels(perNetns), nil),
		ratio: prometheus.NewDesc("tcpaudit_conntrack_used_ratio",
			"tcpaudit_conntrack_entries / tcpaudit_conntrack_entries_limit; packets of new flows are dropped at 1.",
			conntrackLabels(perNetns), nil),
		events: prometheus.NewDesc("tcpaudit_conntrack_events_total",
			"Flows refused or evicted since boot, from net/stat/nf_conntrack summed over CPUs: drop (table full), early_drop (an unassured entry evicted), insert_failed.",
			conntrackLabels(perNetns, "event"), nil),
		rate: prometheus.NewDesc("tcpaudit_conntrack_events_rate",
			"The same events per second between the run's samples; absent without samples.",
			conntrackLabels(perNetns, "event"), nil),
	}
}

func (d conntrackDescs) describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{d.entries, d.limit, d.ratio, d.events, d.rate} {
		ch <- x
	}
}

// collectConntrack sends the conntrack series of the result: the host's,
// and with several namespaces those of each namespace that has series of
// its own.
func (c *Collector) collectConntrack(ch chan<- prometheus.Metric, gauge gaugeFunc) {
	if !c.conntrack.perNetns {
		c.conntrack.collect(ch, gauge, c.res.Conntrack)
		return
	}
	base := baseNamespace(c.res.Namespaces)
	c.conntrack.collect(ch, gauge, c.res.Conntrack, base)
	for _, n := range c.bound.Select(c.res.Namespaces, c.res.Findings) {
		if n.ID != base {
			c.conntrack.collect(ch, gauge, n.Conntrack, n.ID)
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
func (d conntrackDescs) collect(ch chan<- prometheus.Metric, gauge gaugeFunc, u *rules.ConntrackUsage, ns ...string) {
	if u == nil {
		return
	}
	gauge(d.entries, float64(u.Count), ns...)
	gauge(d.limit, float64(u.Max), ns...)
	gauge(d.ratio, u.Share, ns...)
	for _, ev := range rules.ConntrackEvents() {
		m, err := prometheus.NewConstMetric(d.events, prometheus.CounterValue, float64(u.Totals[ev]), append(slices.Clone(ns), ev)...)
		if err != nil {
			m = prometheus.NewInvalidMetric(d.events, err)
		}
		ch <- m
		if r, ok := u.Rates[ev]; ok {
			gauge(d.rate, r, append(slices.Clone(ns), ev)...)
		}
	}
}
