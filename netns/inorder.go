package netns

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// InOrder calls take for 0 ≤ i < n, up to GOMAXPROCS calls at a time, and
// passes each result to emit in the order of i, as soon as it and every
// result before it are there, so a caller can write namespace after
// namespace without keeping them all. At most twice GOMAXPROCS results are
// taken and not yet emitted at any time: a slow namespace holds back the
// ones after it, not the memory of all of them. emit runs on the calling
// goroutine. The first error, of take or emit, in the order of i, stops
// the calls not yet made and is returned (ctx's error when ctx ended them).
func InOrder[T any](ctx context.Context, n int, take func(i int) (T, error), emit func(i int, v T) error) error {
	type result struct {
		i   int
		v   T
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	slots := make(chan struct{}, 2*workers)
	results := make(chan result)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				slots <- struct{}{} // freed when an earlier result is emitted
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				r := result{i: i}
				if r.err = ctx.Err(); r.err == nil {
					r.v, r.err = take(i)
				}
				results <- r
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	held := make(map[int]result)
	var first error
	want := 0
	for r := range results {
		held[r.i] = r
		for h, ok := held[want]; ok; h, ok = held[want] {
			delete(held, want)
			want++
			if first == nil {
				if first = h.err; first == nil {
					first = emit(h.i, h.v)
				}
				if first != nil {
					cancel()
				}
			}
			<-slots // after emit: the result counts as held until emitted
		}
	}
	return first
}
