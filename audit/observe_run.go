package audit

import (
	"context"
	"fmt"
	"time"
)

// Run takes readings at the n times start + interval × (i-1), i = 1..n,
// timed by now, calling progress (when not nil) with the time's number
// after each. A reading that ends after the next time makes that time, and
// any other past, be skipped: the next reading is at the first time still
// ahead, and the last one, at the latest, at once. So the readings span
// the duration asked (plus at most one reading) on a host where a reading
// takes longer than the interval, rather than n readings' time; they are
// fewer, and every rate is computed from the readings' own time stamps.
// Cancelling ctx stops it with ctx's error.
func (o *Observer) Run(ctx context.Context, n int, interval time.Duration, now func() time.Time, progress func(done, total int)) ([]Observation, error) {
	var out []Observation
	start := now()
	for i := 1; i <= n; i = nextReading(i, n, now().Sub(start), interval) {
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
			return nil, fmt.Errorf("reading %d: %w", len(out)+1, err)
		}
		out = append(out, ob)
		report(progress, i, n)
	}
	return out, nil
}

// nextReading is the number of the reading after the i-th of n, taken at
// elapsed time since the first: the next whose time, interval × (number-1),
// is not past, or the n-th when all are past; n+1 after the n-th.
func nextReading(i, n int, elapsed, interval time.Duration) int {
	if i >= n {
		return n + 1
	}
	next := i + 1
	if interval > 0 && elapsed > time.Duration(i)*interval {
		next = int((elapsed+interval-1)/interval) + 1 // the first time at or after elapsed
	}
	return min(next, n)
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
