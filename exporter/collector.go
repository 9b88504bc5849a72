package exporter

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tcpaudit/tcpaudit/report"
)

// evalCollector exposes how the last evaluation went.
type evalCollector struct {
	up, reason, duration, timestamp, age, count *prometheus.Desc
	e                                           evaluation
	evaluations                                 int
	now                                         time.Time
}

func newEvalCollector(e evaluation, evaluations int, now time.Time) *evalCollector {
	return &evalCollector{
		up:        prometheus.NewDesc("tcpaudit_up", "1 if the last evaluation succeeded and its metrics are served, 0 if not.", nil, nil),
		reason:    prometheus.NewDesc("tcpaudit_error_info", "Constant 1, labelled with why tcpaudit_up is 0; absent when it is 1.", []string{"reason"}, nil),
		duration:  prometheus.NewDesc("tcpaudit_evaluation_duration_seconds", "How long the last evaluation took.", nil, nil),
		timestamp: prometheus.NewDesc("tcpaudit_last_evaluation_timestamp_seconds", "When the last evaluation started, in Unix seconds.", nil, nil),
		age:       prometheus.NewDesc("tcpaudit_last_evaluation_age_seconds", "Age of the result served: seconds since the last evaluation started.", nil, nil),
		count:     prometheus.NewDesc("tcpaudit_evaluations_total", "Evaluations started since the exporter started.", nil, nil),
		e:         e, evaluations: evaluations, now: now,
	}
}

// Describe sends the descriptions.
func (c *evalCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.reason, c.duration, c.timestamp, c.age, c.count} {
		ch <- d
	}
}

// Collect sends the metrics.
func (c *evalCollector) Collect(ch chan<- prometheus.Metric) {
	up := 1.0
	if c.e.err != nil {
		up = 0
		ch <- prometheus.MustNewConstMetric(c.reason, prometheus.GaugeValue, 1, report.LabelValue(c.e.err.Error()))
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(c.count, prometheus.CounterValue, float64(c.evaluations))
	if !c.e.at.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, c.e.took.Seconds())
		ch <- prometheus.MustNewConstMetric(c.timestamp, prometheus.GaugeValue, float64(c.e.at.UnixNano())/1e9)
		ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, c.now.Sub(c.e.at).Seconds())
	}
}
