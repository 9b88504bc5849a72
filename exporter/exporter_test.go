package exporter_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tcpaudit/tcpaudit/exporter"
	"github.com/tcpaudit/tcpaudit/rules"
)

// source is an evaluation that counts its calls and fails on demand.
type source struct {
	mu    sync.Mutex
	calls int
	fail  error
}

func (s *source) eval(context.Context) (rules.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return rules.Result{}, s.fail
	}
	return rules.Result{Profile: "baseline", Evaluations: []rules.Evaluation{{Rule: "fin-timeout", Status: rules.Passed}}}, nil
}

func (s *source) set(err error) (calls int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
	return s.calls
}

// serve runs x on a loopback port until the test ends and returns its URL.
func serve(t *testing.T, x *exporter.Exporter) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve after cancel: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func metrics(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	_, body := get(t, url+"/metrics")
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse metrics: %v\n%s", err, body)
	}
	return mfs
}

func up(t *testing.T, mfs map[string]*dto.MetricFamily) float64 {
	t.Helper()
	mf, ok := mfs["tcpaudit_up"]
	if !ok {
		t.Fatal("no tcpaudit_up")
	}
	return mf.GetMetric()[0].GetGauge().GetValue()
}

// TestScrapeEvaluates: without an interval each scrape evaluates; a failed
// evaluation is tcpaudit_up 0 and a 503 on /healthz, and the last good
// result is still served.
func TestScrapeEvaluates(t *testing.T) {
	src := &source{}
	url := serve(t, exporter.New(src.eval, 0, "test"))
	mfs := metrics(t, url)
	if up(t, mfs) != 1 || mfs["tcpaudit_rule_status"] == nil || mfs["tcpaudit_evaluation_duration_seconds"] == nil {
		t.Errorf("first scrape: up %v, families %d", up(t, mfs), len(mfs))
	}
	metrics(t, url)
	if n := src.set(errors.New("proc root gone")); n != 2 {
		t.Errorf("%d evaluations after two scrapes, want 2", n)
	}
	mfs = metrics(t, url)
	if up(t, mfs) != 0 || mfs["tcpaudit_rule_status"] == nil {
		t.Errorf("failed scrape: up %v, last result served: %v", up(t, mfs), mfs["tcpaudit_rule_status"] != nil)
	}
	if code, body := get(t, url+"/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "proc root gone") {
		t.Errorf("/healthz after a failure: %d %q", code, body)
	}
	src.set(nil)
	metrics(t, url)
	if code, body := get(t, url+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz after recovery: %d %q", code, body)
	}
	if code, _ := get(t, url+"/nope"); code != http.StatusNotFound {
		t.Errorf("/nope: %d, want 404", code)
	}
}

// TestIntervalCaches: with an interval, a scrape before any evaluation
// starts the first one and waits for it (serve starts it too, but the
// scrape may come first); later scrapes serve the cached result without
// evaluating.
func TestIntervalCaches(t *testing.T) {
	src := &source{}
	x := exporter.New(src.eval, time.Hour, "test")
	url := serve(t, x)
	if code, body := get(t, url+"/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "no evaluation yet") {
		t.Errorf("/healthz before the first evaluation: %d %q", code, body)
	}
	for range 3 {
		if up(t, metrics(t, url)) != 1 {
			t.Error("cached result not served as up")
		}
	}
	if n := src.set(nil); n != 1 {
		t.Errorf("%d evaluations, want 1: scrapes evaluated", n)
	}
}

// TestIntervalRefreshes: the evaluation is refreshed in the background.
func TestIntervalRefreshes(t *testing.T) {
	src := &source{}
	serve(t, exporter.New(src.eval, 10*time.Millisecond, "test"))
	deadline := time.Now().Add(10 * time.Second)
	for src.set(nil) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the background refresh did not evaluate")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
