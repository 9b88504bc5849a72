package exporter

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// evalCollector exposes how the last evaluation went.
type evalCollector struct {
	up, duration, timestamp *prometheus.Desc
	err                     error
	took                    time.Duration
	at                      time.Time
}

func newEvalCollector(err error, took time.Duration, at time.Time) *evalCollector {
	return &evalCollector{
		up:        prometheus.NewDesc("tcpaudit_up", "1 if the last evaluation succeeded, 0 if it failed.", nil, nil),
		duration:  prometheus.NewDesc("tcpaudit_evaluation_duration_seconds", "How long the last evaluation took.", nil, nil),
		timestamp: prometheus.NewDesc("tcpaudit_last_evaluation_timestamp_seconds", "When the last evaluation started, in Unix seconds.", nil, nil),
		err:       err, took: took, at: at,
	}
}

// Describe sends the descriptions.
func (c *evalCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	ch <- c.duration
	ch <- c.timestamp
}

// Collect sends the metrics.
func (c *evalCollector) Collect(ch chan<- prometheus.Metric) {
	up := 1.0
	if c.err != nil {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
	if !c.at.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, c.took.Seconds())
		ch <- prometheus.MustNewConstMetric(c.timestamp, prometheus.GaugeValue, float64(c.at.UnixNano())/1e9)
	}
}
