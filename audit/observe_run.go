package audit

import (
	"context"
	"fmt"
	"time"
)

// Run takes n readings interval apart, timed by now, calling progress
// (when not nil) after each. Cancelling ctx stops it with ctx's error.
func (o *Observer) Run(ctx context.Context, n int, interval time.Duration, now func() time.Time, progress func(done, total int)) ([]Observation, error) {
	var out []Observation
	for i := 1; i <= n; i++ {
		if i > 1 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(interval):
			}
		}
		ob, err := o.Observe(now())
		if err != nil {
			return nil, fmt.Errorf("reading %d: %w", i, err)
		}
		out = append(out, ob)
		report(progress, i, n)
	}
	return out, nil
}

// ListenerOwners attributes the listeners of the last observation to the
// processes holding them.
func (o *Observer) ListenerOwners(obs []Observation) (*Attribution, error) {
	if len(obs) == 0 {
		return nil, nil
	}
	inodes := make(map[uint64]State)
	for _, l := range obs[len(obs)-1].Listeners {
		if l.Inode != 0 {
			inodes[l.Inode] = Listen
		}
	}
	a, err := o.fsys.Attribute(inodes)
	if err != nil {
		return nil, fmt.Errorf("listener owners: %w", err)
	}
	return &a, nil
}
