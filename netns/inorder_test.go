package netns

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestInOrderOrderAndBound: results come out in the order of i although
// later ones finish first, and no more than twice GOMAXPROCS are taken and
// not yet emitted while an early one is slow.
func TestInOrderOrderAndBound(t *testing.T) {
	const n = 200
	var pending, most atomic.Int64
	var got []int
	err := InOrder(context.Background(), n, func(i int) (int, error) {
		p := pending.Add(1)
		for m := most.Load(); p > m && !most.CompareAndSwap(m, p); m = most.Load() {
		}
		if i%50 == 0 {
			time.Sleep(20 * time.Millisecond) // every 50th is slow
		}
		return i * i, nil
	}, func(i, v int) error {
		pending.Add(-1)
		if v != i*i {
			t.Errorf("emit(%d, %d): value of another index", i, v)
		}
		got = append(got, i)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("emitted %d of %d", len(got), n)
	}
	for k, i := range got {
		if k != i {
			t.Fatalf("emitted %d at position %d", i, k)
		}
	}
	if limit := int64(2 * runtime.GOMAXPROCS(0)); most.Load() > limit {
		t.Errorf("%d results held at once, want at most %d", most.Load(), limit)
	}
}

// TestInOrderFirstErrorStops: the first error in order is returned, what
// came before it was emitted, nothing after it, and the calls not yet made
// are not made.
func TestInOrderFirstErrorStops(t *testing.T) {
	bad := errors.New("namespace 5 failed")
	var taken atomic.Int64
	var emitted []int
	err := InOrder(context.Background(), 1000, func(i int) (int, error) {
		taken.Add(1)
		if i == 5 {
			return 0, bad
		}
		return i, nil
	}, func(i, _ int) error {
		emitted = append(emitted, i)
		return nil
	})
	if !errors.Is(err, bad) {
		t.Fatalf("err = %v, want %v", err, bad)
	}
	if len(emitted) != 5 || emitted[4] != 4 {
		t.Errorf("emitted %v, want 0..4", emitted)
	}
	if n := taken.Load(); n > 5+int64(2*runtime.GOMAXPROCS(0))+1 {
		t.Errorf("%d calls made after the error at 5", n)
	}
	stop := errors.New("writer failed")
	err = InOrder(context.Background(), 10, func(i int) (int, error) { return i, nil },
		func(i, _ int) error {
			if i == 2 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) {
		t.Fatalf("emit error: err = %v, want %v", err, stop)
	}
}
