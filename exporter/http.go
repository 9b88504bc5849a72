package exporter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tcpaudit/tcpaudit/report"
)

// shutdownGrace bounds how long in-flight scrapes may finish on shutdown.
const shutdownGrace = 5 * time.Second

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

// metrics serves a fresh registry built for this scrape.
func (x *Exporter) metrics(w http.ResponseWriter, r *http.Request) {
	e := x.current(r.Context())
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(newEvalCollector(e.err, e.took, e.at))
	if e.err == nil || len(e.res.Evaluations) > 0 {
		reg.MustRegister(report.NewCollector(e.res, x.version))
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
}

func (x *Exporter) healthz(w http.ResponseWriter, _ *http.Request) {
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

// Serve serves on ln until ctx is done, refreshing the cache if the
// exporter has an interval, then shuts the server down gracefully.
func (x *Exporter) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: x.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		x.refreshLoop(ctx)
		close(done)
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		cancel()
		<-done
		return err
	case <-ctx.Done():
	}
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
