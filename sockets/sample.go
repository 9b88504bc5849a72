package sockets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/tcpaudit/tcpaudit/audit"
)

// sample takes o.Samples-1 more readings of the CLOSE_WAIT sockets and
// counters, o.Interval apart, and records the stuck sockets and the rates.
func (v *View) sample(ctx context.Context, fsys audit.FS, o Options) error {
	first, err := fsys.Counters()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	left := v.Census.CloseWaitList()
	n := o.Samples
	start := o.now()
	progress(o, 1, n)
	for i := 2; i <= n; i++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(o.Interval):
		}
		if err := fsys.StillCloseWait(v.Source, left); err != nil {
			return fmt.Errorf("sample %d: %w", i, err)
		}
		progress(o, i, n)
	}
	last, err := fsys.Counters()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	elapsed := o.now().Sub(start)
	v.Stuck = &Stuck{Sockets: left.Len(), Samples: n, Duration: elapsed}
	if left != nil {
		v.Stuck.Beyond = left.Beyond
	}
	v.Rates = audit.Rates(first, last, elapsed)
	return nil
}

// progress reports done of total samples to o.Progress, if any.
func progress(o Options, done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}
