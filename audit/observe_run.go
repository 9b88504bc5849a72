package audit

import (
	"context"
	"fmt"
	"time"
)

// Run takes n readings, the i-th interval × i after the first (a reading
// that takes longer delays the next one only), timed by now, calling
// progress (when not nil) after each. Cancelling ctx stops it with ctx's
// error.
func (o *Observer) Run(ctx context.Context, n int, interval time.Duration, now func() time.Time, progress func(done, total int)) ([]Observation, error) {
	var out []Observation
	start := now()
	for i := 1; i <= n; i++ {
		if wait := start.Add(time.Duration(i-1) * interval).Sub(now()); i > 1 && wait > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ob, err := o.Observe(now)
		if err != nil {
			return nil, fmt.Errorf("reading %d: %w", i, err)
		}
		out = append(out, ob)
		report(progress, i, n)
	}
	return out, nil
}

// ListenerOwners attributes to the processes holding them the listeners
// whose accept queue was ever non-empty or that dropped packets: the ones
// a proposal may name. With none it scans no process and returns nil.
func (o *Observer) ListenerOwners(obs []Observation) (*Attribution, error) {
	inodes := make(map[uint64]State)
	for _, ob := range obs {
		for _, l := range ob.Listeners {
			if l.Inode != 0 && (l.AcceptQueue > 0 || l.Drops > 0) {
				inodes[l.Inode] = Listen
			}
		}
	}
	if len(inodes) == 0 {
		return nil, nil
	}
	a, err := o.fsys.Attribute(inodes)
	if err != nil {
		return nil, fmt.Errorf("listener owners: %w", err)
	}
	return &a, nil
}
