package audit

import (
	"cmp"
	"maps"
	"runtime"
)

// gatherOwners attributes to processes the CLOSE_WAIT sockets, the
// listeners in trouble (full accept queue, or drops) and the sockets toward
// heavy destinations (a second census finds their inodes), when there are
// any, and counts the unattributed CLOSE_WAIT sockets that closed meanwhile.
// The CLOSE_WAIT sockets are taken AttributionBatch at a time; holders are
// kept for the listeners and the CLOSE_WAIT sockets of CloseWaitInfo only.
// sc reads the processes (its iterator may be loaded already).
func (fsys FS) gatherOwners(f *Facts, sc *scanner) {
	if f.Census == nil {
		return
	}
	collectCensus(f.Census)
	fl, err := fsys.heavyFlowSockets(f)
	if err != nil {
		f.record(SourceProcesses, false, err.Error())
		return
	}
	details := ownerDetails(f)
	if ca, ok, err := fsys.ownersCompact(f, sc, details, fl); ok {
		if err != nil {
			f.record(SourceProcesses, false, err.Error())
			return
		}
		ca.Scoped = fsys.scopedBy(ca.Method)
		f.Owners = &ca
		f.record(SourceProcesses, true, "")
		return
	}
	cw := f.Census.CloseWaitSet()
	if cw.Len() == 0 && len(details) == 0 && fl.set.Len() == 0 {
		return
	}
	acc := newOwnerCount(func(ino uint64, _ State) bool { _, ok := details[ino]; return ok })
	acc.flowSet, acc.flows = fl.set, fl.flows
	sc.states = StatesOf(CloseWait, Listen) | fl.states
	sc.whole = StatesOf(CloseWait) // the batch holds every CLOSE_WAIT socket it wants
	err = fsys.batches(f.CensusSource, StatesOf(CloseWait), cw, f.Census.MoreCloseWait(), []*InodeSet{notCloseWait(details), fl.set}, func(sets ...*InodeSet) error {
		b, err := sc.scan(sets...)
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
	a.Scoped = fsys.scopedBy(a.Method)
	fsys.countClosed(f, &acc.unheld, &a)
	f.Owners = &a
	f.record(SourceProcesses, true, "")
}

// MaxNamedSockets bounds the CLOSE_WAIT sockets whose holders Gather
// finds: the longest idle of Facts.CloseWaitInfo, which are the ones a
// finding names first. Holders of all 4,096 sockets with tcp_info took
// 1.5 MiB of a check's peak memory for the five a finding names by default.
const MaxNamedSockets = 64

// ownerDetails returns the inodes whose holders the findings name: the
// first MaxNamedSockets listeners in trouble and the MaxNamedSockets
// longest idle CLOSE_WAIT sockets with tcp_info.
func ownerDetails(f *Facts) map[uint64]State {
	inodes := make(map[uint64]State)
	listeners := 0
	for _, l := range f.Census.Listeners {
		if l.Inode != 0 && l.Troubled() && listeners < MaxNamedSockets {
			inodes[l.Inode] = Listen
			listeners++
		}
	}
	for _, s := range f.CloseWaitInfo[:min(len(f.CloseWaitInfo), MaxNamedSockets)] {
		if s.Inode != 0 {
			inodes[s.Inode] = CloseWait
		}
	}
	return inodes
}

// nameStuck finds the holders of the longest idle CLOSE_WAIT sockets that
// stayed through every sample (s.StuckCloseWait), MaxNamedSockets of them,
// where Gather did not look for them (it looked for the longest idle
// before sampling, and some of those closed meanwhile).
func (fsys FS) nameStuck(f *Facts, s *Sampling) {
	if f.Owners == nil {
		return
	}
	want := make(map[uint64]struct{})
	for _, si := range f.CloseWaitInfo {
		if len(want) == MaxNamedSockets {
			break
		}
		if !s.StuckCloseWait.Has(si.Inode) {
			continue
		}
		if _, known := f.Owners.Holders[si.Inode]; !known {
			want[si.Inode] = struct{}{}
		}
	}
	if len(want) == 0 {
		return
	}
	a, err := fsys.Owners(want)
	if err != nil {
		return // the sockets are counted; they are shown without their holder
	}
	if f.Owners.Holders == nil {
		f.Owners.Holders = make(map[uint64]Holder, len(a.Holders))
	}
	maps.Copy(f.Owners.Holders, a.Holders)
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
// destinations (see flowSockets), an empty set when there is none.
func (fsys FS) heavyFlowSockets(f *Facts) (flowSet, error) {
	heavy := f.Census.HeavyFlows()
	if len(heavy) == 0 {
		return flowSet{set: &InodeSet{}}, nil
	}
	return fsys.flowSockets(f, heavy)
}

func compareFlows(a, b Flow) int {
	return cmp.Or(a.Local.Compare(b.Local), a.Remote.Compare(b.Remote), cmp.Compare(a.RemotePort, b.RemotePort))
}

// countClosed moves the unattributed CLOSE_WAIT sockets that are gone
// after the scan from Unattributed to Closed: they closed before they
// could be attributed, no process hid them. unheld are those checked (at
// most AttributionBatch).
func (fsys FS) countClosed(f *Facts, unheld *InodeList, a *Attribution) {
	if a.Unattributed == 0 || unheld.Len() == 0 {
		return
	}
	before := unheld.Len()
	if fsys.StillCloseWait(f.CensusSource, unheld) == nil {
		a.Closed = min(before-unheld.Len(), a.Unattributed)
		a.Unattributed -= a.Closed
	}
}

// collectLarge is the census size from which the attribution that follows
// collects the census's garbage first (collectCensus).
const collectLarge = 1 << 16

// collectCensus runs the collector after a census of collectLarge sockets
// or more, before check's attribution allocates: a one-shot command's heap
// is collected first at 4 MiB (at most once in a check of a million
// sockets), so the census's garbage (its netlink buffers, the growth of its
// compact set) stayed resident and the attribution's allocations (the
// heavy destinations' census, the join's marks) took new pages; collected,
// they reuse them: 0.15-0.45 MiB of the peak at a million sockets, for
// about a millisecond. `sockets` does not: its attribution allocates less
// than the collector's own first-run memory (1.2 MiB more, measured;
// docs/benchmarks.md).
func collectCensus(c *Census) {
	if c.Total() >= collectLarge {
		runtime.GC()
	}
}
