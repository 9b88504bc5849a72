package main

import (
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/tcpaudit/tcpaudit/internal/nstest"
)

// TestServeWatch: serve --watch exports the traced counters: transitions,
// TIME_WAIT created per destination with at most --watch-top series of
// their own (the rest under "other", and a series never falls), and the
// time-in-state histograms.
func TestServeWatch(t *testing.T) {
	if !enterWithBPF(t) {
		return
	}
	links := bpfLinks()
	url, stop := startServe(t, "--watch", "--watch-top", "2", "--interval", "0")
	defer stop()
	waitAttached(t, links)
	var dests []string
	for _, n := range []int{40, 30, 20, 10} {
		addr := echoServer(t, "127.0.0.1:0").Addr().String()
		churn(t, addr, n)
		dests = append(dests, addr)
	}
	mfs := scrape(t, url)
	// Runs the kernel skipped (a program already running on that CPU)
	// are events lost: every count may be that much low, never high.
	missed := counter(t, mfs, "tcpaudit_watch_missed_events_total", nil)
	if missed > 0 {
		t.Logf("the kernel skipped %v runs of the tracing programs", missed)
	}
	if v := counter(t, mfs, "tcpaudit_watch_transitions_total", map[string]string{"from": "ESTABLISHED", "to": "FIN_WAIT1"}); v+missed < 100 || v > 102 {
		t.Errorf("ESTABLISHED -> FIN_WAIT1 = %v, want 100 (and the scrape's own; %v events missed)", v, missed)
	}
	tw := "tcpaudit_watch_time_wait_created_total"
	if a, b := counter(t, mfs, tw, map[string]string{"destination": dests[0]}), counter(t, mfs, tw, map[string]string{"destination": dests[1]}); !lowBy(a, 40, missed) || !lowBy(b, 30, missed) {
		t.Errorf("TIME_WAIT toward the top 2 destinations = %v, %v, want 40, 30 (%v events missed; series: %v)", a, b, missed, mfs[tw].GetMetric())
	}
	if v := counter(t, mfs, tw, map[string]string{"destination": "other"}); v+missed < 30 || v > 32 {
		t.Errorf("TIME_WAIT toward other destinations = %v, want 30 (%v events missed)", v, missed)
	}
	if n := len(mfs[tw].GetMetric()); n != 3 {
		t.Errorf("%d TIME_WAIT series, want 3 (2 destinations and other)", n)
	}
	// The exact total: the series by destination add up to it (nothing
	// was evicted at this scale).
	var series float64
	for _, m := range mfs[tw].GetMetric() {
		series += m.GetCounter().GetValue()
	}
	if all := counter(t, mfs, "tcpaudit_watch_time_wait_total", nil); all+missed < 100 || all > 102 || all != series {
		t.Errorf("tcpaudit_watch_time_wait_total = %v, want 100 (and the scrapes' own) and the sum of the series by destination, %v (%v events missed)", all, series, missed)
	}
	h := histogram(t, mfs, "tcpaudit_watch_time_in_state_seconds", "ESTABLISHED")
	if float64(h.GetSampleCount())+missed < 200 || h.GetSampleSum() <= 0 {
		t.Errorf("ESTABLISHED histogram: %d stays, sum %v s; want both ends of 100 connections (%v events missed)", h.GetSampleCount(), h.GetSampleSum(), missed)
	}
	churn(t, echoServer(t, "127.0.0.1:0").Addr().String(), 5)
	mfs = scrape(t, url)
	missed = counter(t, mfs, "tcpaudit_watch_missed_events_total", nil)
	if v := counter(t, mfs, tw, map[string]string{"destination": "other"}); v+missed < 35 || len(mfs[tw].GetMetric()) != 3 {
		t.Errorf("after 5 more toward a new destination: other = %v in %d series, want 35 in 3 (%v events missed)", v, len(mfs[tw].GetMetric()), missed)
	}
}

// lowBy reports whether got is want, or below it by at most missed (events
// the kernel did not run the tracer for).
func lowBy[T uint64 | float64](got, want, missed T) bool { return got <= want && got+missed >= want }

// counter returns the value of the counter series with these labels.
func counter(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	for _, m := range mfs[name].GetMetric() {
		if hasLabels(m, labels) {
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

// histogram returns the histogram of one state.
func histogram(t *testing.T, mfs map[string]*dto.MetricFamily, name, state string) *dto.Histogram {
	t.Helper()
	for _, m := range mfs[name].GetMetric() {
		if hasLabels(m, map[string]string{"state": state}) {
			return m.GetHistogram()
		}
	}
	t.Fatalf("no histogram %s{state=%q}", name, state)
	return nil
}

func hasLabels(m *dto.Metric, labels map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := labels[l.GetName()]; ok && v == l.GetValue() {
			n++
		}
	}
	return n == len(labels)
}

// TestServeWatchNetns: serve --netns NAME --watch traces NAME, not the
// exporter's own namespace: 25 connections made in NAME are counted, the
// scrapes (made from this namespace) are not.
func TestServeWatchNetns(t *testing.T) {
	if !enterWithBPF(t) {
		return
	}
	ns := nstest.New(t)
	links := bpfLinks()
	url, stop := startServe(t, "--netns", ns, "--watch", "--interval", "0")
	defer stop()
	waitAttached(t, links)
	var addr string
	inNetns(t, ns, func() { addr = echoServer(t, "127.0.0.1:0").Addr().String() })
	inNetns(t, ns, func() { churn(t, addr, 25) })
	scrape(t, url)
	mfs := scrape(t, url)
	missed := counter(t, mfs, "tcpaudit_watch_missed_events_total", nil)
	if v := counter(t, mfs, "tcpaudit_watch_transitions_total", map[string]string{"from": "ESTABLISHED", "to": "FIN_WAIT1"}); !lowBy(v, 25, missed) {
		t.Errorf("ESTABLISHED -> FIN_WAIT1 = %v, want the 25 made in %s and none of the scrapes (%v events missed)", v, ns, missed)
	}
}
