package exporter_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/exporter"
	"github.com/tcpaudit/tcpaudit/rules"
)

// TestFirstEvaluationJoined: while the first evaluation of an exporter
// with an interval is under way, /healthz answers 503 at once and says
// so, and a scrape waits for it and serves its result (up 1), not an
// empty "no evaluation yet".
func TestFirstEvaluationJoined(t *testing.T) {
	release := make(chan struct{})
	src := &source{}
	slow := func(ctx context.Context) (rules.Result, error) {
		<-release
		return src.eval(ctx)
	}
	x := exporter.New(slow, time.Hour, "test")
	url := serve(t, x)
	first := make(chan error, 1)
	go func() { first <- x.Evaluate(context.Background()) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := get(t, url+"/healthz")
		if code == http.StatusServiceUnavailable && strings.Contains(body, "first evaluation under way") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz during the first evaluation: %d %q", code, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	scraped := make(chan string, 1)
	go func() {
		body := "error"
		if resp, err := http.Get(url + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		}
		scraped <- body
	}()
	select {
	case body := <-scraped:
		t.Fatalf("scrape answered before the first evaluation ended:\n%s", body)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if body := <-scraped; !strings.Contains(body, "\ntcpaudit_up 1\n") {
		t.Errorf("scrape during the first evaluation, want tcpaudit_up 1:\n%s", body)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := src.set(nil); n != 1 {
		t.Errorf("%d evaluations, want the scrape to join the first", n)
	}
}

// TestShutdownAnswersWaitingScrape: a shutdown that starts while a scrape
// waits for the first evaluation answers that scrape 503 at once and
// returns no error, instead of waiting out the grace period for an
// evaluation that is not done.
func TestShutdownAnswersWaitingScrape(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := func(ctx context.Context) (rules.Result, error) {
		<-release
		return (&source{}).eval(ctx)
	}
	x := exporter.New(slow, time.Hour, "test")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- x.Serve(ctx, ln) }()
	go func() { _ = x.Evaluate(context.Background()) }()
	waitHealthz(t, url, "first evaluation under way")

	type answer struct {
		code int
		body string
		err  error
	}
	scraped := make(chan answer, 1)
	go func() {
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			scraped <- answer{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		scraped <- answer{code: resp.StatusCode, body: string(b)}
	}()
	select {
	case a := <-scraped:
		t.Fatalf("scrape answered before the first evaluation ended: %+v", a)
	case <-time.After(300 * time.Millisecond): // waiting in the handler
	}

	start := time.Now()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after shutdown with a waiting scrape: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still running 10s after shutdown started")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("shutdown took %s, want the waiting scrape answered at once (under 1s)", took)
	}
	a := <-scraped
	if a.err != nil || a.code != http.StatusServiceUnavailable || !strings.Contains(a.body, "shutting down") {
		t.Errorf("waiting scrape got %d %q (%v), want 503 shutting down", a.code, a.body, a.err)
	}
}

// waitHealthz polls /healthz until its body holds want, for up to 5s.
func waitHealthz(t *testing.T, url, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body := get(t, url+"/healthz")
		if strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never said %q; last %q", want, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
