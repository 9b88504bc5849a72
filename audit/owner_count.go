package audit

import (
	"maps"
	"slices"
)

// ownerCount adds up the batches of one attribution: the owners of the
// CLOSE_WAIT sockets, each counted once, and the holders of the inodes
// detail asks for, so that its memory grows with the processes and the
// detailed inodes, not with the sockets.
type ownerCount struct {
	a      Attribution
	owners map[int]*Owner
	detail func(ino uint64, st State) bool
	// unheld are the CLOSE_WAIT inodes no process held, at most
	// AttributionBatch of them.
	unheld []uint64
}

func newOwnerCount(detail func(uint64, State) bool) *ownerCount {
	return &ownerCount{owners: make(map[int]*Owner), detail: detail, a: Attribution{Holders: make(map[uint64]Holder)}}
}

// add counts one batch.
func (c *ownerCount) add(b *batchScan) {
	c.a.Batches++
	c.a.Method = b.method
	c.a.Unreadable = max(c.a.Unreadable, b.unreadable)
	for i, ino := range b.set.inodes {
		st := b.set.states[i]
		h, ok := b.holder(i)
		switch {
		case !ok && st == CloseWait:
			c.a.Unattributed++
			if len(c.unheld) < AttributionBatch {
				c.unheld = append(c.unheld, uint64(ino))
			}
			continue
		case !ok:
			continue
		}
		if c.detail(uint64(ino), st) {
			c.a.Holders[uint64(ino)] = h
		}
		if st == CloseWait {
			c.own(h)
		}
	}
}

// own counts one CLOSE_WAIT socket for its holder.
func (c *ownerCount) own(h Holder) {
	o := c.owners[h.PID]
	if o == nil {
		o = &Owner{PID: h.PID, Command: h.Command}
		c.owners[h.PID] = o
	}
	o.Sockets++
	for _, pid := range h.Others {
		if !slices.Contains(o.Holders, pid) {
			o.Holders = append(o.Holders, pid)
		}
	}
}

// result returns the attribution, owners most sockets first.
func (c *ownerCount) result() Attribution {
	a := c.a
	a.Root = isRoot()
	if len(a.Holders) == 0 {
		a.Holders = nil
	}
	for _, pid := range slices.Sorted(maps.Keys(c.owners)) {
		o := c.owners[pid]
		slices.Sort(o.Holders)
		a.Owners = append(a.Owners, *o)
	}
	slices.SortStableFunc(a.Owners, func(x, y Owner) int { return y.Sockets - x.Sockets })
	return a
}
