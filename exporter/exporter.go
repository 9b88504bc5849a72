// Package exporter serves audit results as Prometheus metrics: it refreshes
// the result in the background every interval (or evaluates on demand, one
// evaluation shared by concurrent scrapes), serves /metrics, /healthz and
// its own metrics about the last evaluation, bounds its connections and
// their time, and shuts down gracefully.
package exporter

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/promtext"
	"github.com/tcpaudit/tcpaudit/report"
	"github.com/tcpaudit/tcpaudit/rules"
)

// DefaultInterval is how often serve refreshes the result by default.
const DefaultInterval = 30 * time.Second

// Exporter serves results as metrics: cached and refreshed every interval
// in the background, or, when its interval is 0, evaluated when a scrape
// finds none running, concurrent scrapes sharing one evaluation.
type Exporter struct {
	eval     func(context.Context) (rules.Result, error)
	interval time.Duration
	version  string
	bound    report.NetnsBound

	// mu guards last, flight, count and rendered.
	mu       sync.Mutex
	last     evaluation
	flight   *flight
	count    int
	rendered rendering

	// extra are collected beside the result on every scrape (Also).
	extra []promtext.Collector

	// gzips holds the gzip writers of finished scrapes for the next ones.
	gzips sync.Pool
}

// Also serves c's metrics beside the result's on every scrape: serve
// --watch adds the tracer's. Call it before Serve.
func (x *Exporter) Also(c promtext.Collector) { x.extra = append(x.extra, c) }

// evaluation is the outcome of the last evaluation; res is the last
// successful result, the gen-th.
type evaluation struct {
	res  rules.Result
	gen  int
	err  error
	took time.Duration
	at   time.Time
	done bool
}

// flight is an evaluation under way; err is set before done is closed.
type flight struct {
	done chan struct{}
	err  error
}

// New returns an exporter of the results of eval, refreshed every
// interval (0: on demand); version labels the build metric.
func New(eval func(context.Context) (rules.Result, error), interval time.Duration, version string) *Exporter {
	return &Exporter{eval: eval, interval: interval, version: version, bound: report.DefaultNetnsBound()}
}

// WithNetnsBound returns x with the bound b on the series of network
// namespaces other than the host's (report.DefaultNetnsBound unless
// given). Call it before serving.
func (x *Exporter) WithNetnsBound(b report.NetnsBound) *Exporter {
	x.bound = b
	return x
}

// Evaluate runs one evaluation, or joins the one under way, records its
// outcome and returns its error. It returns ctx's error without waiting
// when ctx is done first; the evaluation goes on for the others.
func (x *Exporter) Evaluate(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // nobody is waiting: start nothing
	}
	x.mu.Lock()
	f := x.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		x.flight = f
		x.count++
		go x.run(context.WithoutCancel(ctx), f)
	}
	x.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run evaluates once and records the outcome.
func (x *Exporter) run(ctx context.Context, f *flight) {
	start := time.Now()
	res, err := x.eval(ctx)
	x.mu.Lock()
	x.last.took, x.last.at, x.last.err, x.last.done = time.Since(start), start, err, true
	if err == nil {
		x.last.res = res
		x.last.gen++
	}
	x.flight = nil
	x.mu.Unlock()
	f.err = err
	close(f.done)
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

// current returns the evaluation to serve, evaluating first when on
// demand, and, before the first evaluation has ended, joining it (or
// starting it: a scrape may come before the goroutine that starts it has
// run). A scrape whose client has left starts nothing.
func (x *Exporter) current(ctx context.Context) (evaluation, int) {
	x.mu.Lock()
	first := !x.last.done
	x.mu.Unlock()
	if x.interval <= 0 || first {
		_ = x.Evaluate(ctx) // its error is in x.last; a first one under way is joined
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	e := x.last
	if !e.done {
		e.err = errors.New("no evaluation yet")
	}
	return e, x.count
}
