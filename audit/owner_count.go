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
	// flowSet holds the sockets toward flows, tagged with their flow's
	// position plus one; flowOwners counts their owners by flow.
	flowSet    *InodeSet
	flows      []Flow
	flowOwners map[Flow]map[int]*Owner
	// unheld are the CLOSE_WAIT inodes no process held, at most
	// AttributionBatch of them.
	unheld InodeList
}

func newOwnerCount(detail func(uint64, State) bool) *ownerCount {
	return &ownerCount{owners: make(map[int]*Owner), detail: detail, a: Attribution{Holders: make(map[uint64]Holder)}}
}

// add counts one batch.
func (c *ownerCount) add(b *batchScan) {
	c.a.Batches++
	c.a.Method = b.method
	c.a.Unreadable = max(c.a.Unreadable, b.unreadable)
	b.each(func(k int, ino uint32, st State, h Holder, ok bool) {
		if b.sets[k] == c.flowSet {
			if ok {
				c.ownFlow(c.flows[st-1], h)
			}
			return
		}
		switch {
		case !ok && st == CloseWait:
			c.a.Unattributed++
			if c.unheld.Len() < AttributionBatch {
				c.unheld.add(ino) // the batches come in ascending order
			}
			return
		case !ok:
			return
		}
		if c.detail(uint64(ino), st) {
			c.a.Holders[uint64(ino)] = h
		}
		if st == CloseWait {
			c.own(h)
		}
	})
}

// own counts one CLOSE_WAIT socket for its holder.
func (c *ownerCount) own(h Holder) { count(c.owners, h) }

// ownFlow counts one socket toward fl for its holder.
func (c *ownerCount) ownFlow(fl Flow, h Holder) {
	if c.flowOwners == nil {
		c.flowOwners = make(map[Flow]map[int]*Owner)
	}
	if c.flowOwners[fl] == nil {
		c.flowOwners[fl] = make(map[int]*Owner)
	}
	count(c.flowOwners[fl], h)
}

// count counts one socket for its holder in owners.
func count(owners map[int]*Owner, h Holder) {
	o := owners[h.PID]
	if o == nil {
		o = &Owner{PID: h.PID, Command: h.Command}
		owners[h.PID] = o
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
	a.Owners = ranked(c.owners)
	for fl, owners := range c.flowOwners {
		if a.Flows == nil {
			a.Flows = make(map[Flow][]Owner)
		}
		a.Flows[fl] = ranked(owners)
	}
	return a
}

// ranked returns the owners, most sockets first, then by PID.
func ranked(owners map[int]*Owner) []Owner {
	var out []Owner
	for _, pid := range slices.Sorted(maps.Keys(owners)) {
		o := owners[pid]
		slices.Sort(o.Holders)
		out = append(out, *o)
	}
	slices.SortStableFunc(out, func(x, y Owner) int { return y.Sockets - x.Sockets })
	return out
}
