package exporter_test

import (
	"context"
	"io"
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
