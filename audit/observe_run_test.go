package audit

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestNextReading: past reading times are skipped, the last is always
// taken, and a run on time takes every reading.
func TestNextReading(t *testing.T) {
	s := time.Second
	for _, c := range []struct {
		i, n    int
		elapsed time.Duration
		want    int
	}{
		{1, 11, 200 * time.Millisecond, 2},  // on time
		{1, 11, s, 2},                       // just at the next time
		{1, 11, 3400 * time.Millisecond, 5}, // times 2..4 past: next at 4 s
		{5, 11, 9900 * time.Millisecond, 11},
		{5, 11, 30 * s, 11}, // all past: the last at once
		{11, 11, 30 * s, 12},
		{1, 1, 0, 2},
		{3, 11, 20 * s, 11},
	} {
		if got := nextReading(c.i, c.n, c.elapsed, s); got != c.want {
			t.Errorf("nextReading(%d, %d, %s) = %d, want %d", c.i, c.n, c.elapsed, got, c.want)
		}
	}
}

// TestRunKeepsDuration: when every reading takes longer than the 1 s
// interval (the clock moves half a second each time it is read), eleven
// readings asked (a 10 s duration) are fewer readings, the last one at
// the tenth second or at once after it: the run lasts about the duration,
// not eleven readings' time.
func TestRunKeepsDuration(t *testing.T) {
	fsys, err := NewFS("../testdata/hosts/healthy")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	start := clock
	now := func() time.Time { // each reading reads the clock a few times
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second / 2)
		return clock
	}
	var done []int
	obs, err := NewObserver(fsys, CensusProc, nil).Run(context.Background(), 11, time.Second, now, func(d, _ int) { done = append(done, d) })
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) < 2 || len(obs) >= 11 {
		t.Fatalf("%d readings, want at least 2 and fewer than the 11 asked", len(obs))
	}
	if done[len(done)-1] != 11 {
		t.Errorf("progress %v: want it to end at 11", done)
	}
	perReading := obs[1].At.Sub(obs[0].At)
	t.Logf("%d readings, %s apart, progress %v", len(obs), perReading, done)
	if span := obs[len(obs)-1].At.Sub(start); span > 10*time.Second+perReading {
		t.Errorf("readings span %s, want at most the 10 s asked plus one reading (%s)", span, perReading)
	}
}
