package watch

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tcpaudit/tcpaudit/audit"
	"github.com/tcpaudit/tcpaudit/internal/promtext"
)

// readings is a tracer that returns its readings in turn.
type readings []Reading

func (r *readings) Read(time.Time) (Reading, error) {
	next := (*r)[0]
	*r = (*r)[1:]
	return next, nil
}

func (r *readings) Close() error { return nil }

// timeWaitSeries collects m once and returns its TIME_WAIT-by-destination
// series.
func timeWaitSeries(t *testing.T, m *Metrics) map[string]float64 {
	t.Helper()
	s := promtext.NewSet()
	m.Collect(s)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range s.Families() {
		if f.Name != "tcpaudit_watch_time_wait_created_total" {
			continue
		}
		for _, m := range f.Metrics {
			out[m.Labels[0].Value] = m.Value
		}
	}
	return out
}

// TestMetricsBounded: with top 1, the largest destination at the first
// scrape keeps its series, the others add up under "other", and no series
// falls when the kernel's LRU map drops a key.
func TestMetricsBounded(t *testing.T) {
	tw := func(counts map[string]uint64) Reading {
		r := Reading{Source: FromBPF, TimeWait: map[Creator]uint64{}}
		for d, n := range counts {
			r.TimeWait[Creator{Destination: dest(d)}] = n
		}
		return r
	}
	tr := readings{
		tw(map[string]uint64{"10.0.0.1:80": 5, "10.0.0.2:80": 3}),
		tw(map[string]uint64{"10.0.0.2:80": 4, "10.0.0.3:80": 10}), // 10.0.0.1:80 evicted
	}
	m := NewMetrics(&tr, 1)
	if d := cmp.Diff(map[string]float64{"10.0.0.1:80": 5, "other": 3}, timeWaitSeries(t, m)); d != "" {
		t.Errorf("first scrape (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]float64{"10.0.0.1:80": 5, "other": 14}, timeWaitSeries(t, m)); d != "" {
		t.Errorf("second scrape (-want +got):\n%s", d)
	}
}

// TestMetricsExposition: the tracer's metrics as a scrape writes them
// parse with expfmt; the time-in-state histogram has cumulative buckets
// with le in seconds (bucket b holds stays below 2^(b+1) µs), its sum and
// count, and the opens split by direction.
func TestMetricsExposition(t *testing.T) {
	r := Reading{Source: FromBPF, Transitions: map[Pair]uint64{}}
	active, passive := opens()
	r.Transitions[active], r.Transitions[passive] = 7, 3
	cw := audit.CloseWait
	r.Time[cw][0], r.Time[cw][3], r.Time[cw][9] = 2, 5, 1 // <2 µs, <16 µs, <1024 µs
	r.Sum[cw] = 1500 * time.Microsecond
	tr := readings{r}
	s := promtext.NewSet()
	NewMetrics(&tr, 10).Collect(s)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := promtext.Write(&b, s.Families()); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("expfmt: %v\n%s", err, b.String())
	}
	h := mfs["tcpaudit_watch_time_in_state_seconds"].GetMetric()
	if len(h) != 1 || h[0].GetLabel()[0].GetValue() != "CLOSE_WAIT" {
		t.Fatalf("time-in-state series: %v\n%s", h, b.String())
	}
	got := map[float64]uint64{}
	for _, bk := range h[0].GetHistogram().GetBucket() {
		got[bk.GetUpperBound()] = bk.GetCumulativeCount()
	}
	if got[2e-6] != 2 || got[16e-6] != 7 || got[1024e-6] != 8 || got[math.Inf(+1)] != 8 || len(got) != histogramBuckets+1 {
		t.Errorf("buckets %v, want 2 below 2µs, 7 below 16µs, 8 below 1024µs and in all (%d buckets and +Inf)", got, histogramBuckets)
	}
	if c, sum := h[0].GetHistogram().GetSampleCount(), h[0].GetHistogram().GetSampleSum(); c != 8 || sum != 0.0015 {
		t.Errorf("count %d sum %v, want 8 and 0.0015", c, sum)
	}
	dirs := map[string]float64{}
	for _, m := range mfs["tcpaudit_watch_new_connections_total"].GetMetric() {
		dirs[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
	}
	if d := cmp.Diff(map[string]float64{"active": 7, "passive": 3}, dirs); d != "" {
		t.Errorf("opens (-want +got):\n%s", d)
	}
}
