package report

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tcpaudit/tcpaudit/rules"
)

// conntrackLabels are the variable labels every conntrack series starts
// with. The conntrack count and its events are per network namespace, so a
// per-namespace audit adds "netns" here, and every series gains it, with
// the same cardinality bound as the namespaces themselves.
func conntrackLabels(extra ...string) []string { return append([]string{}, extra...) }

// conntrackDescs are the conntrack table's series.
type conntrackDescs struct {
	entries, limit, ratio, events, rate *prometheus.Desc
}

func newConntrackDescs() conntrackDescs {
	return conntrackDescs{
		entries: prometheus.NewDesc("tcpaudit_conntrack_entries",
			"Entries in the connection-tracking table of the audited network namespace (net.netfilter.nf_conntrack_count).",
			conntrackLabels(), nil),
		limit: prometheus.NewDesc("tcpaudit_conntrack_entries_limit",
			"The table's limit, net.netfilter.nf_conntrack_max (global; each namespace's count is compared with it).",
			conntrackLabels(), nil),
		ratio: prometheus.NewDesc("tcpaudit_conntrack_used_ratio",
			"tcpaudit_conntrack_entries / tcpaudit_conntrack_entries_limit; packets of new flows are dropped at 1.",
			conntrackLabels(), nil),
		events: prometheus.NewDesc("tcpaudit_conntrack_events_total",
			"Flows refused or evicted since boot, from net/stat/nf_conntrack summed over CPUs: drop (table full), early_drop (an unassured entry evicted), insert_failed.",
			conntrackLabels("event"), nil),
		rate: prometheus.NewDesc("tcpaudit_conntrack_events_rate",
			"The same events per second between the run's samples; absent without samples.",
			conntrackLabels("event"), nil),
	}
}

func (d conntrackDescs) describe(ch chan<- *prometheus.Desc) {
	for _, x := range []*prometheus.Desc{d.entries, d.limit, d.ratio, d.events, d.rate} {
		ch <- x
	}
}

// collect sends the series of u; nothing when conntrack was not read.
func (d conntrackDescs) collect(ch chan<- prometheus.Metric, gauge gaugeFunc, u *rules.ConntrackUsage) {
	if u == nil {
		return
	}
	gauge(d.entries, float64(u.Count))
	gauge(d.limit, float64(u.Max))
	gauge(d.ratio, u.Share)
	for _, ev := range rules.ConntrackEvents() {
		m, err := prometheus.NewConstMetric(d.events, prometheus.CounterValue, float64(u.Totals[ev]), ev)
		if err != nil {
			m = prometheus.NewInvalidMetric(d.events, err)
		}
		ch <- m
		if r, ok := u.Rates[ev]; ok {
			gauge(d.rate, r, ev)
		}
	}
}
