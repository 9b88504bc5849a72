package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
)

// exporter serves results as metrics: evaluated on each scrape when
// interval is 0, else cached and refreshed every interval.
type exporter struct {
	eval     func() (rules.Result, error)
	interval time.Duration
	version  string

	// evalMu serialises evaluations; mu guards last.
	evalMu sync.Mutex
	mu     sync.Mutex
	last   evaluation
}

// evaluation is the outcome of the last evaluation; res is the last
// successful result.
type evaluation struct {
	res  rules.Result
	err  error
	took time.Duration
	at   time.Time
	done bool
}

func newExporter(eval func() (rules.Result, error), interval time.Duration, version string) *exporter {
	return &exporter{eval: eval, interval: interval, version: version}
}

// evaluate runs one evaluation, records its outcome and returns its error.
func (x *exporter) evaluate() error {
	x.evalMu.Lock()
	defer x.evalMu.Unlock()
	start := time.Now()
	res, err := x.eval()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.last.took, x.last.at, x.last.err, x.last.done = time.Since(start), start, err, true
	if err == nil {
		x.last.res = res
	}
	return err
}

// refreshLoop evaluates every interval until ctx is done; with no interval
// it only waits.
func (x *exporter) refreshLoop(ctx context.Context) {
	if x.interval <= 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(x.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = x.evaluate() // served as tcpaudit_up 0 and by /healthz
		}
	}
}

// current returns the evaluation to serve, evaluating first unless cached.
func (x *exporter) current() evaluation {
	if x.interval <= 0 {
		_ = x.evaluate() // its error is in x.last
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e := x.last
	if !e.done {
		e.err = errors.New("no evaluation yet")
	}
	return e
}

func (x *exporter) mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /metrics", x.metrics)
	m.HandleFunc("GET /healthz", x.healthz)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "tcpaudit exporter: metrics at /metrics, health at /healthz")
	})
	return m
}

// metrics serves a fresh registry built for this scrape.
func (x *exporter) metrics(w http.ResponseWriter, r *http.Request) {
	e := x.current()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(newEvalCollector(e.err, e.took, e.at))
	if e.err == nil || len(e.res.Evaluations) > 0 {
		reg.MustRegister(report.NewCollector(e.res, x.version))
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
}

func (x *exporter) healthz(w http.ResponseWriter, _ *http.Request) {
	x.mu.Lock()
	err, ok := x.last.err, x.last.done
	x.mu.Unlock()
	switch {
	case x.interval > 0 && !ok:
		http.Error(w, "no evaluation yet", http.StatusServiceUnavailable)
	case err != nil:
		http.Error(w, "last evaluation failed: "+err.Error(), http.StatusServiceUnavailable)
	default:
		fmt.Fprintln(w, "ok")
	}
}

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
