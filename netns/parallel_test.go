package netns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestParallelCanceledOnce: once the context is cancelled, its error is
// returned once, however many calls it stopped or ended; other errors are
// kept; with no call failing there is no error.
func TestParallelCanceledOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	other := errors.New("namespace x: no such file")
	first := make(chan struct{})
	err := Parallel(ctx, 8, func(i int) error {
		switch i {
		case 0:
			close(first)
			return other
		case 1:
			<-first
			cancel()
			return fmt.Errorf("namespace 1: %w", ctx.Err())
		}
		return ctx.Err()
	})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, other) {
		t.Fatalf("error %v: want context.Canceled and the other error", err)
	}
	if n := strings.Count(err.Error(), "context canceled"); n != 1 {
		t.Errorf("%q: context canceled %d times, want once", err, n)
	}
	ok, cancelOK := context.WithCancel(context.Background())
	if err := Parallel(ok, 4, func(int) error { return nil }); err != nil {
		t.Errorf("no call failed: %v", err)
	}
	cancelOK()
}
