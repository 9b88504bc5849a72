package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/promtext"
	"github.com/tcpaudit/tcpaudit/rules"
)

// Prometheus writes the result in the Prometheus text exposition format, for
// node_exporter's textfile collector. It collects a Collector in a fresh
// set on every call.
type Prometheus struct {
	// Version is tcpaudit's version, a label of tcpaudit_info.
	Version string
}

// Write renders res.
func (p Prometheus) Write(w io.Writer, res rules.Result) error {
	s := promtext.NewSet()
	NewCollector(res, p.Version).Collect(s)
	if err := s.Err(); err != nil {
		return fmt.Errorf("prometheus: %w", err)
	}
	if err := promtext.Write(w, s.Families()); err != nil {
		return fmt.Errorf("prometheus: %w", err)
	}
	return nil
}

// Collector exposes one result as metrics. The exporter collects a new one
// for each result in a fresh set.
type Collector struct {
	res     rules.Result
	version string

	info, config, findings, evidence, status, sockets, ephemeral, ephemeralSockets, usable, up *promtext.Desc

	netns     netnsDescs
	conntrack conntrackDescs
	bound     NetnsBound
}

// NewCollector returns a Collector for res.
func NewCollector(res rules.Result, version string) *Collector {
	return &Collector{
		res:     res,
		version: version,
		info: promtext.NewDesc("tcpaudit_info",
			"Constant 1, labelled with the profile, the kernel release and the tcpaudit version.",
			promtext.Gauge, "profile", "kernel", "version"),
		config: promtext.NewDesc("tcpaudit_config_info",
			"Constant 1, labelled with the configuration file in use; absent when there is none.",
			promtext.Gauge, "path"),
		findings: promtext.NewDesc("tcpaudit_findings",
			"Unwaived findings of each evaluated rule, by severity.",
			promtext.Gauge, "rule", "severity"),
		evidence: promtext.NewDesc("tcpaudit_finding_evidence",
			"The named numbers of the evidence of each rule's unwaived findings (count, threshold, rate_per_s, ...), the largest when a rule has several findings.",
			promtext.Gauge, "rule", "name"),
		status: promtext.NewDesc("tcpaudit_rule_status",
			"1 for the rule's outcome (passed, failed, skipped, disabled), 0 for the others.",
			promtext.Gauge, "rule", "category", "status"),
		sockets: promtext.NewDesc("tcpaudit_sockets",
			"TCP sockets (IPv4 and IPv6) by state, from the socket census.",
			promtext.Gauge, "state"),
		ephemeral: promtext.NewDesc("tcpaudit_ephemeral_ports_used_ratio",
			"Share of the usable ephemeral port range in use toward one destination (local IP, remote IP, remote port); connect() fails with EADDRNOTAVAIL at 1.",
			promtext.Gauge, "local", "remote", "remote_port"),
		ephemeralSockets: promtext.NewDesc("tcpaudit_ephemeral_ports_used",
			"Sockets holding a local port of the ephemeral range toward one destination (local IP, remote IP, remote port).",
			promtext.Gauge, "local", "remote", "remote_port"),
		usable: promtext.NewDesc("tcpaudit_ephemeral_ports_usable",
			"Usable ephemeral ports per destination: ip_local_port_range minus reserved and listening ports.",
			promtext.Gauge),
		up: promtext.NewDesc("tcpaudit_source_up",
			"1 if the fact source under the proc root was read, 0 if not.",
			promtext.Gauge, "source"),
		netns:     newNetnsDescs(),
		conntrack: newConntrackDescs(len(res.Namespaces) > 0),
		bound:     DefaultNetnsBound(),
	}
}

// WithNetnsBound returns c with the bound b on the series of network
// namespaces other than the host's (DefaultNetnsBound unless given).
func (c *Collector) WithNetnsBound(b NetnsBound) *Collector {
	c.bound = b
	return c
}

// Collect adds the metrics of the result to s.
func (c *Collector) Collect(s *promtext.Set) {
	gauge := func(d *promtext.Desc, v float64, labels ...string) {
		for i, l := range labels {
			labels[i] = LabelValue(l)
		}
		s.Add(d, v, labels...)
	}
	gauge(c.info, 1, c.res.Profile, c.res.Kernel, c.version)
	if c.res.Config != "" {
		gauge(c.config, 1, c.res.Config)
	}
	c.collectRules(gauge)
	c.collectEvidence(gauge)
	c.collectNamespaces(gauge)
	if s := c.res.Sockets; s != nil {
		for _, st := range audit.States() {
			gauge(c.sockets, float64(s.States[st.String()]), st.String())
		}
	}
	for i, e := range c.res.Ephemeral {
		port := strconv.Itoa(int(e.RemotePort))
		gauge(c.ephemeral, e.Share, e.Local, e.Remote, port)
		gauge(c.ephemeralSockets, float64(e.Sockets), e.Local, e.Remote, port)
		if i == 0 {
			gauge(c.usable, float64(e.Usable))
		}
	}
	for _, s := range c.res.Sources {
		gauge(c.up, boolValue(s.OK), s.Source)
	}
	c.collectConntrack(s, gauge)
}

type gaugeFunc func(d *promtext.Desc, v float64, labels ...string)

func (c *Collector) collectRules(gauge gaugeFunc) {
	counts := make(map[string]map[rules.Severity]int)
	for _, f := range c.res.Findings {
		if f.Waived != "" {
			continue
		}
		if counts[f.Rule] == nil {
			counts[f.Rule] = make(map[rules.Severity]int)
		}
		counts[f.Rule][f.Severity]++
	}
	for _, e := range c.res.Evaluations {
		for _, st := range []rules.Status{rules.Passed, rules.Failed, rules.Skipped, rules.Disabled} {
			gauge(c.status, boolValue(e.Status == st), e.Rule, e.Category, string(st))
		}
		if e.Status != rules.Passed && e.Status != rules.Failed {
			continue
		}
		for _, sev := range []rules.Severity{rules.Critical, rules.Warning, rules.Info} {
			gauge(c.findings, float64(counts[e.Rule][sev]), e.Rule, sev.String())
		}
	}
}

// collectEvidence exports each rule's evidence numbers, one series per
// rule and name: bounded by the catalog, not by the host.
func (c *Collector) collectEvidence(gauge gaugeFunc) {
	type key struct{ rule, name string }
	largest := make(map[key]float64)
	for _, f := range c.res.Findings {
		if f.Waived != "" {
			continue
		}
		for name, v := range f.Evidence {
			k := key{f.Rule, name}
			if old, ok := largest[k]; !ok || v > old {
				largest[k] = v
			}
		}
	}
	for k, v := range largest {
		gauge(c.evidence, v, k.rule, k.name)
	}
}

// LabelValue returns s as a label value safe to print and valid in the
// exposition format: control characters, newline and tab included, and
// bytes that are not UTF-8 written as escapes (Escape). Text read from the
// system (a namespace's or process's name, a kernel release) may hold
// escape sequences, and a scrape printed to a terminal must not send them.
func LabelValue(s string) string { return Escape(s) }

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
