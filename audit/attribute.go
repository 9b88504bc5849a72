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
func (fsys FS) gatherOwners(f *Facts) {
	if f.Census == nil {
		return
	}
	inodes := make(map[uint64]State)
	flows, err := fsys.heavyFlowSockets(f)
	if err != nil {
		f.record(SourceProcesses, false, err.Error())
		return
	}
	for ino := range flows {
		inodes[ino] = Established
	}
	for _, l := range f.Census.Listeners {
		if l.Inode != 0 && l.Troubled() {
			inodes[l.Inode] = Listen
		}
	}
	for ino := range f.Census.CloseWaitInodes() {
		inodes[ino] = CloseWait
	}
	if len(inodes) == 0 {
		return
	}
	a, err := fsys.Attribute(inodes)
	if err != nil {
		f.record(SourceProcesses, false, err.Error())
		return
	}
	a.Flows = flowOwners(flows, a.Holders)
	fsys.countClosed(f, inodes, &a)
	f.Owners = &a
	f.record(SourceProcesses, true, "")
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
// could be attributed, no process hid them.
func (fsys FS) countClosed(f *Facts, inodes map[uint64]State, a *Attribution) {
	if a.Unattributed == 0 {
		return
	}
	gone := make(map[uint64]struct{})
	for ino, st := range inodes {
		if _, ok := a.Holders[ino]; !ok && st == CloseWait {
			gone[ino] = struct{}{}
		}
	}
	if fsys.StillCloseWait(f.CensusSource, gone) == nil {
		a.Closed = a.Unattributed - len(gone)
		a.Unattributed = len(gone)
	}
}
