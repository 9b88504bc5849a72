package watch

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
