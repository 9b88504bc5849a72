// Package exporter serves audit results as Prometheus metrics: it caches
// evaluations (or evaluates on each scrape), serves /metrics, /healthz and
// its own metrics about the last evaluation, and shuts down gracefully.
package exporter

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tcpaudit/tcpaudit/rules"
)

// Exporter serves results as metrics: evaluated on each scrape when
// its interval is 0, else cached and refreshed every interval.
type Exporter struct {
	eval     func(context.Context) (rules.Result, error)
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

// New returns an exporter of the results of eval, refreshed every
// interval (0: on each scrape); version labels the build metric.
func New(eval func(context.Context) (rules.Result, error), interval time.Duration, version string) *Exporter {
	return &Exporter{eval: eval, interval: interval, version: version}
}

// Evaluate runs one evaluation, records its outcome and returns its error.
func (x *Exporter) Evaluate(ctx context.Context) error {
	x.evalMu.Lock()
	defer x.evalMu.Unlock()
	start := time.Now()
	res, err := x.eval(ctx)
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
func (x *Exporter) refreshLoop(ctx context.Context) {
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
			_ = x.Evaluate(ctx) // served as tcpaudit_up 0 and by /healthz
		}
	}
}

// current returns the evaluation to serve, evaluating first unless cached.
func (x *Exporter) current(ctx context.Context) evaluation {
	if x.interval <= 0 {
		_ = x.Evaluate(ctx) // its error is in x.last
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e := x.last
	if !e.done {
		e.err = errors.New("no evaluation yet")
	}
	return e
}
