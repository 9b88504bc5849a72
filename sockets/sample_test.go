package sockets

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSample samples a captured host three times: its files do not
// change, so every CLOSE_WAIT socket is stuck and every counter delta is 0.
func TestSample(t *testing.T) {
	var calls [][2]int
	v := takeLeak(t, Options{By: ByState, Samples: 3, Interval: time.Millisecond, Now: ticker(time.Second),
		Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if d := cmp.Diff([][2]int{{1, 3}, {2, 3}, {3, 3}}, calls); d != "" {
		t.Errorf("progress (-want +got):\n%s", d)
	}
	want := &Stuck{Sockets: 231, Samples: 3, Duration: time.Second}
	if d := cmp.Diff(want, v.Stuck); d != "" {
		t.Errorf("stuck (-want +got):\n%s", d)
	}
	if len(v.Rates) != 7 {
		t.Errorf("rates %+v: want the 7 sampled counters", v.Rates)
	}
	for _, r := range v.Rates {
		if r.Delta != 0 || r.PerSecond != 0 {
			t.Errorf("rate %+v of unchanged files", r)
		}
	}
}

func TestSampleCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Take(ctx, leak, Options{By: ByState, Source: "proc", Samples: 2, Interval: time.Hour})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled sampling: %v, want context.Canceled", err)
	}
}
