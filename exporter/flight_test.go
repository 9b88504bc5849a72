package exporter_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpaudit/tcpaudit/exporter"
	"github.com/tcpaudit/tcpaudit/rules"
)

// slowSource is an evaluation that takes a while and counts its calls.
type slowSource struct {
	calls atomic.Int32
	took  time.Duration
	res   rules.Result
}

func (s *slowSource) eval(ctx context.Context) (rules.Result, error) {
	s.calls.Add(1)
	select {
	case <-time.After(s.took):
	case <-ctx.Done():
		return rules.Result{}, ctx.Err()
	}
	return s.res, nil
}

// TestOnDemandSingleFlight: with --interval 0, 20 concurrent scrapes share
// one evaluation.
func TestOnDemandSingleFlight(t *testing.T) {
	src := &slowSource{took: 300 * time.Millisecond, res: rules.Result{Profile: "baseline"}}
	url := serve(t, exporter.New(src.eval, 0, "test"))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if up(t, metrics(t, url)) != 1 {
				t.Error("scrape: up 0")
			}
		})
	}
	wg.Wait()
	if n := src.calls.Load(); n != 1 {
		t.Errorf("%d evaluations for 20 concurrent scrapes, want 1", n)
	}
}

// TestOnDemandClientGone: clients that send a scrape and hang up while an
// evaluation is under way start no evaluation of their own, neither then
// nor after it: one evaluation in all.
func TestOnDemandClientGone(t *testing.T) {
	src := &slowSource{took: 500 * time.Millisecond}
	url := serve(t, exporter.New(src.eval, 0, "test"))
	first := make(chan struct{})
	go func() {
		defer close(first)
		metrics(t, url)
	}()
	time.Sleep(100 * time.Millisecond) // the first scrape's evaluation runs
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		c, err := net.Dial("tcp", req.URL.Host)
		if err != nil {
			t.Fatal(err)
		}
		if err := req.Write(c); err != nil {
			t.Fatal(err)
		}
		c.Close() // the impatient client gives up
	}
	<-first
	time.Sleep(500 * time.Millisecond)
	if n := src.calls.Load(); n != 1 {
		t.Errorf("%d evaluations, want 1: clients that left started their own", n)
	}
}

// TestRenderFailureIsDown: a result whose metrics cannot be rendered (two
// sources of the same name make duplicate series) is served as
// tcpaudit_up 0 with the reason, with none of the audit's metrics.
func TestRenderFailureIsDown(t *testing.T) {
	res := rules.Result{Profile: "baseline", Sources: []rules.SourceStatus{{Source: "net/tcp", OK: true}, {Source: "net/tcp", OK: true}}}
	x := exporter.New(func(context.Context) (rules.Result, error) { return res, nil }, time.Hour, "test")
	if err := x.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	mfs := metrics(t, serve(t, x))
	if up(t, mfs) != 0 || mfs["tcpaudit_error_info"] == nil {
		t.Errorf("up %v, reason %v; want up 0 with a reason", up(t, mfs), mfs["tcpaudit_error_info"])
	}
	if mfs["tcpaudit_info"] != nil || mfs["tcpaudit_source_up"] != nil {
		t.Error("audit metrics served beside tcpaudit_up 0")
	}
}
