package main

import (
	"bufio"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/exporter"
)

// TestServeUnderLoad: 50 clients each scrape every 100 ms for 10 s (500
// scrapes a second, far beyond any Prometheus setup, without the test's
// own busy loops taking the CPU the server needs); the exporter evaluates
// no more than once per interval (plus the first evaluation) over the
// window the scrapes really spanned, and /healthz answers within a second
// of what a trivial server on the same machine takes at the same moments
// (a starved machine slows both; only the exporter's own delay counts).
func TestServeUnderLoad(t *testing.T) {
	long(t, "runs 10 s of load")
	const (
		clients  = 50
		duration = 10 * time.Second
		interval = 2 * time.Second
		period   = 100 * time.Millisecond
	)
	url, stop := startServe(t, "--proc-root", filepath.Join(hostsDir, "close-wait-leak"), "--interval", interval.String())
	defer stop()
	trivial := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })) //nolint:errcheck // a test server
	defer trivial.Close()
	before := evaluations(t, url)
	began := time.Now()
	var scrapes, failures atomic.Int64
	end := time.Now().Add(duration)
	// Each client keeps its connection, as Prometheus does.
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			c := &http.Client{Timeout: 5 * time.Second, Transport: tr}
			for time.Now().Before(end) {
				resp, err := c.Get(url + "/metrics")
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the load matters
				resp.Body.Close()
				scrapes.Add(1)
				time.Sleep(period)
			}
		})
	}
	var worst, excess time.Duration
	for time.Now().Before(end) {
		start := time.Now()
		resp, err := (&http.Client{Timeout: healthzTimeout}).Get(url + "/healthz")
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("/healthz under load: %v", err)
		} else {
			resp.Body.Close()
		}
		start = time.Now()
		if resp, err := http.Get(trivial.URL); err == nil {
			resp.Body.Close()
		}
		worst, excess = max(worst, took), max(excess, took-time.Since(start))
		time.Sleep(200 * time.Millisecond)
	}
	wg.Wait()
	evals := evaluations(t, url) - before
	window := time.Since(began)
	limit := math.Ceil(float64(window)/float64(interval)) + 1
	t.Logf("%d clients, %s: %d scrapes, %d failed, %v evaluations (limit %v over %s), slowest /healthz %s (%s beyond a trivial server)",
		clients, duration, scrapes.Load(), failures.Load(), evals, limit, window.Round(time.Millisecond), worst, excess)
	if evals > limit {
		t.Errorf("%v evaluations in %s at --interval %s, want at most %v", evals, window, interval, limit)
	}
	if excess > time.Second && !raceDetector {
		t.Errorf("slowest /healthz took %s beyond a trivial server's time, want under 1s", excess)
	}
	if failures.Load() > 0 {
		t.Errorf("%d scrapes failed", failures.Load())
	}
}

// TestServeIdleConnectionsCapped: more idle connections than the cap
// (silent ones and keep-alive ones after a scrape) neither block /healthz
// nor stay open beyond the cap.
func TestServeIdleConnectionsCapped(t *testing.T) {
	url, stop := startServe(t, "--proc-root", filepath.Join(hostsDir, "healthy"))
	defer stop()
	// serve listens before its first evaluation has ended (/healthz is 503
	// meanwhile): wait for it, so that the 503 is never the idle
	// connections' doing.
	for deadline := time.Now().Add(10 * time.Second); healthz(t, url) != http.StatusOK; {
		if time.Now().After(deadline) {
			t.Fatal("/healthz not 200 within 10s of serve starting")
		}
		time.Sleep(10 * time.Millisecond)
	}
	addr := strings.TrimPrefix(url, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	extra := 40
	for i := range exporter.MaxConns + extra {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		if i%2 == 0 {
			continue // silent: never sends a request
		}
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("keep-alive connection %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // left open, idle
		resp.Body.Close()
	}
	start := time.Now()
	resp, err := (&http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}).Get(url + "/healthz")
	took := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK {
		status := ""
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("/healthz beside %d idle connections: %s %v", len(conns), status, err)
	}
	resp.Body.Close()
	closed := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)) //nolint:errcheck // a read error is the answer
		if _, err := c.Read(make([]byte, 1)); err == io.EOF {
			closed++
		}
	}
	t.Logf("%d idle connections opened, cap %d: /healthz in %s, %d closed by the server", len(conns), exporter.MaxConns, took, closed)
	if took > time.Second {
		t.Errorf("/healthz took %s", took)
	}
	if open := len(conns) - closed; open > exporter.MaxConns {
		t.Errorf("%d idle connections still open, cap %d", open, exporter.MaxConns)
	}
}

// evaluations reads tcpaudit_evaluations_total.
func evaluations(t *testing.T, url string) float64 {
	t.Helper()
	mf := scrape(t, url)["tcpaudit_evaluations_total"]
	if len(mf.GetMetric()) != 1 {
		t.Fatal("no tcpaudit_evaluations_total")
	}
	return mf.GetMetric()[0].GetCounter().GetValue()
}
