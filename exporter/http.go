package exporter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/tcpaudit/tcpaudit/internal/promtext"
	"github.com/tcpaudit/tcpaudit/report"
)

// Bounds of the HTTP server: how long in-flight scrapes may finish on
// shutdown, how long a client may take to send a request and to read the
// answer, how long a keep-alive connection may stay idle, and how many
// connections may be open at once.
const (
	shutdownGrace     = 5 * time.Second
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 2 * time.Minute // an on-demand evaluation of a large host
	idleTimeout       = 30 * time.Second
	// MaxConns bounds the open connections; beyond it the oldest idle one
	// is closed to make room (see limitListener).
	MaxConns = 64
)

// Handler serves /metrics, /healthz and a short index on /.
func (x *Exporter) Handler() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /metrics", x.metrics)
	m.HandleFunc("GET /healthz", x.healthz)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "tcpaudit exporter: metrics at /metrics, health at /healthz")
	})
	return m
}

// metrics serves the last result. The audit's metrics are rendered first:
// if they cannot be, none of them is served and tcpaudit_up is 0 with the
// reason, never 1 with the audit's metrics missing. The metrics of a
// collector given to Also that fails are left out; the others are served.
func (x *Exporter) metrics(w http.ResponseWriter, r *http.Request) {
	e, count := x.current(r.Context())
	if r.Context().Err() != nil {
		if errors.Is(context.Cause(r.Context()), errShuttingDown) {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
		}
		return // else the client left
	}
	var families []*promtext.Family
	if e.err == nil || len(e.res.Evaluations) > 0 {
		var err error
		if families, err = x.render(e); err != nil {
			e.err, families = fmt.Errorf("render the result: %w", err), nil
		}
	}
	s := promtext.NewSet()
	collectEvaluation(s, e, count, time.Now())
	s.Merge(families)
	for _, c := range x.extra {
		c.Collect(s)
	}
	x.writeMetrics(w, r, s.Families())
}

// rendering is the metrics of the gen-th result, collected once for every
// scrape of it.
type rendering struct {
	gen      int
	families []*promtext.Family
	err      error
}

// render returns the metrics of the result of e, collecting them on the
// first scrape of the result.
func (x *Exporter) render(e evaluation) ([]*promtext.Family, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.rendered.gen == e.gen && x.rendered.gen != 0 {
		return x.rendered.families, x.rendered.err
	}
	s := promtext.NewSet()
	report.NewCollector(e.res, x.version).WithNetnsBound(x.bound).Collect(s)
	families, err := s.Families(), s.Err()
	if err != nil {
		families = nil
	}
	x.rendered = rendering{gen: e.gen, families: families, err: err}
	return families, err
}

func (x *Exporter) healthz(w http.ResponseWriter, _ *http.Request) {
	x.mu.Lock()
	err, ok, running := x.last.err, x.last.done, x.flight != nil
	x.mu.Unlock()
	switch {
	case !ok && running:
		http.Error(w, "first evaluation under way", http.StatusServiceUnavailable)
	case x.interval > 0 && !ok:
		http.Error(w, "no evaluation yet", http.StatusServiceUnavailable)
	case err != nil:
		http.Error(w, "last evaluation failed: "+err.Error(), http.StatusServiceUnavailable)
	default:
		fmt.Fprintln(w, "ok")
	}
}

// errShuttingDown is why the requests' context is cancelled when the
// server shuts down.
var errShuttingDown = errors.New("shutting down")

// Serve serves on ln until ctx is done, refreshing the cache if the
// exporter has an interval, then shuts the server down gracefully: the
// scrapes waiting for an evaluation are answered 503 at once, those
// writing may finish within shutdownGrace. At most MaxConns connections
// are open at once.
func (x *Exporter) Serve(ctx context.Context, ln net.Listener) error {
	lim := newLimitListener(ln, MaxConns)
	base, stop := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stop(nil)
	srv := &http.Server{
		BaseContext:       func(net.Listener) context.Context { return base },
		Handler:           x.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ConnState:         lim.track,
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		x.refreshLoop(ctx)
		close(done)
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lim) }()
	select {
	case err := <-errc:
		cancel()
		<-done
		return err
	case <-ctx.Done():
	}
	stop(errShuttingDown)
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	err := srv.Shutdown(sctx)
	<-done
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
