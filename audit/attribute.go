package audit

import (
	"cmp"
	"maps"
	"slices"
)

// gatherOwners attributes to processes the CLOSE_WAIT sockets, the
// listeners in trouble (full accept queue, or drops) and the sockets toward
// heavy destinations (a second census finds their inodes), when there are
// any, and counts the unattributed CLOSE_WAIT sockets that closed meanwhile.
// The CLOSE_WAIT sockets are taken AttributionBatch at a time; holders are
// kept for the other inodes and the CLOSE_WAIT sockets of CloseWaitInfo
// only.
func (fsys FS) gatherOwners(f *Facts) {
	if f.Census == nil {
		return
	}
	flows, err := fsys.heavyFlowSockets(f)
	if err != nil {
		f.record(SourceProcesses, false, err.Error())
		return
	}
	details := ownerDetails(f, flows)
	cw := f.Census.CloseWaitSet()
	if cw.Len() == 0 && len(details) == 0 {
		return
	}
	acc := newOwnerCount(func(ino uint64, _ State) bool { _, ok := details[ino]; return ok })
	err = fsys.batches(f.CensusSource, StatesOf(CloseWait), cw, f.Census.MoreCloseWait(), notCloseWait(details), func(set *InodeSet) error {
		b, err := fsys.scanBatch(set)
		if err == nil {
			acc.add(b)
		}
		return err
	})
	if err != nil {
		f.record(SourceProcesses, false, err.Error())
		return
	}
	a := acc.result()
	a.Flows = flowOwners(flows, a.Holders)
	fsys.countClosed(f, acc.unheld, &a)
	f.Owners = &a
	f.record(SourceProcesses, true, "")
}

// ownerDetails returns the inodes whose holders the findings name: the
// sockets toward heavy destinations, the listeners in trouble and the
// CLOSE_WAIT sockets with tcp_info.
func ownerDetails(f *Facts, flows map[uint64]Flow) map[uint64]State {
	inodes := make(map[uint64]State)
	for ino := range flows {
		inodes[ino] = Established
	}
	for _, l := range f.Census.Listeners {
		if l.Inode != 0 && l.Troubled() {
			inodes[l.Inode] = Listen
		}
	}
	for _, s := range f.CloseWaitInfo {
		if s.Inode != 0 {
			inodes[s.Inode] = CloseWait
		}
	}
	return inodes
}

// notCloseWait returns the inodes of m in other states than CLOSE_WAIT
// (the CLOSE_WAIT ones come with their batch).
func notCloseWait(m map[uint64]State) *InodeSet {
	return NewInodeSet(maps.Collect(func(yield func(uint64, State) bool) {
		for ino, st := range m {
			if st != CloseWait && !yield(ino, st) {
				return
			}
		}
	}))
}

// heavyFlowSockets returns the inodes of the sockets toward the heavy
// destinations, none when there is no heavy destination.
func (fsys FS) heavyFlowSockets(f *Facts) (map[uint64]Flow, error) {
	heavy := f.Census.HeavyFlows()
	if len(heavy) == 0 {
		return nil, nil
	}
	return fsys.flowSockets(f, heavy)
}

// flowOwners groups the owners of the sockets by destination.
func flowOwners(flows map[uint64]Flow, hs map[uint64]Holder) map[Flow][]Owner {
	if len(flows) == 0 {
		return nil
	}
	out := make(map[Flow][]Owner)
	for _, fl := range slices.Compact(slices.SortedFunc(maps.Values(flows), compareFlows)) {
		if o := OwnersOf(hs, func(ino uint64) bool { return flows[ino] == fl }); len(o) > 0 {
			out[fl] = o
		}
	}
	return out
}

func compareFlows(a, b Flow) int {
	return cmp.Or(a.Local.Compare(b.Local), a.Remote.Compare(b.Remote), cmp.Compare(a.RemotePort, b.RemotePort))
}

// countClosed moves the unattributed CLOSE_WAIT sockets that are gone
// after the scan from Unattributed to Closed: they closed before they
// could be attributed, no process hid them. unheld are those checked (at
// most AttributionBatch).
func (fsys FS) countClosed(f *Facts, unheld []uint64, a *Attribution) {
	if a.Unattributed == 0 || len(unheld) == 0 {
		return
	}
	gone := make(map[uint64]struct{}, len(unheld))
	for _, ino := range unheld {
		gone[ino] = struct{}{}
	}
	if fsys.StillCloseWait(f.CensusSource, gone) == nil {
		a.Closed = len(unheld) - len(gone)
		a.Unattributed -= a.Closed
	}
}
