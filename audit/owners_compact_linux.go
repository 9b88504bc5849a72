//go:build linux && !tcpaudit_portable

package audit

import (
	"errors"
	"iter"
	"maps"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/tcpaudit/tcpaudit/audit/taskfd"
)

// compactCloseWait keeps the census's CLOSE_WAIT inodes in a compactSet
// when sc has the iterator loaded: gatherOwners then joins them with one
// run of it, a bit or two an inode (see ownerJoin), where the claims of an
// InodeSet take 8 bytes (1.5 MB of a check's peak at a million sockets,
// docs/benchmarks.md).
func compactCloseWait(sc *scanner) CensusOption {
	return func(c *Census) {
		if sc.bpf == nil {
			return
		}
		if h := c.closeWait; h != nil && h.h == nil && !h.grow {
			h.compact, h.state, h.max = &compactSet{}, CloseWait, maxCompact
		}
	}
}

// ownersCompact is gatherOwners for a census that kept its CLOSE_WAIT
// inodes in a compactSet: one run of the iterator reports them (and looks
// up the inodes of extra: the detailed ones and the heavy destinations'),
// an ownerJoin counts each CLOSE_WAIT socket once for the first process
// found holding it, and the sockets found shared are looked up again to
// name their other holders. ok is false when it cannot run (no compact
// set, or more CLOSE_WAIT sockets than it keeps; no iterator; a scoped
// census): gatherOwners then attributes in batches, as it would have.
func (fsys FS) ownersCompact(f *Facts, sc *scanner, details map[uint64]State, fl flowSet) (Attribution, bool, error) {
	h := f.Census.closeWait
	if h == nil || h.compact == nil || h.overflowed() || fsys.scope != nil || sc.bpf == nil {
		return Attribution{}, false, nil
	}
	set := h.compact
	b := newBatchScan(NewInodeSet(details), fl.set)
	states := taskfd.States{Lookup: uint32(StatesOf(Listen) | fl.states)}
	lookups := b.lookupInodes(0)
	n := b.size()
	if set.n >= sc.wholeMin {
		states.Report = uint32(StatesOf(CloseWait)) // the set holds every one it wants
	} else {
		states.Lookup |= uint32(StatesOf(CloseWait))
		lookups = concat(set.inodes(), lookups)
		n += set.n
	}
	if err := sc.load(n); err != nil {
		return Attribution{}, false, nil // batches fall back to the descriptor scan
	}
	j := newOwnerJoin(set)
	c := newCollector(b)
	sc.runs++
	err := sc.bpf.it.Sockets(lookups, n, states, func(r taskfd.File) {
		j.add(r.TGID, r.Inode)
		c.visit(r)
	})
	switch {
	case err != nil && fsys.attribution != AttributionBPF && errors.Is(err, ErrNoIterator):
		sc.noBPF = err // the batches fall back to the descriptor scan
		return Attribution{}, false, nil
	case err != nil:
		return Attribution{}, true, err
	}
	sc.finishBPF(b, c)
	if err := j.nameShared(sc); err != nil {
		return Attribution{}, true, err
	}

	acc := newOwnerCount(nil)
	acc.a.Batches, acc.a.Method, acc.a.Unreadable = 1, AttributionBPF, b.unreadable
	b.each(func(k int, ino uint32, st State, hd Holder, ok bool) {
		switch {
		case !ok:
		case k == 1:
			acc.ownFlow(fl.flows[st-1], hd)
		default:
			acc.a.Holders[uint64(ino)] = hd
		}
	})
	for pid, o := range j.owners {
		o.Command = b.command(pid)
		if o.Command == "?" {
			o.Command = readComm(filepath.Join(fsys.root, strconv.Itoa(pid), "comm"))
		}
	}
	acc.owners = j.owners
	acc.a.Unattributed = set.n - j.held.n
	for ino := range j.unheld() {
		if acc.unheld.Len() == AttributionBatch {
			break
		}
		acc.unheld.add(ino)
	}
	a := acc.result()
	fsys.countClosed(f, &acc.unheld, &a)
	return a, true, nil
}

// concat yields the inodes of a, then those of b.
func concat(a, b iter.Seq[uint32]) iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		for ino := range a {
			if !yield(ino) {
				return
			}
		}
		for ino := range b {
			if !yield(ino) {
				return
			}
		}
	}
}

// inodes yields the inodes of the set in ascending order.
func (s *compactSet) inodes() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		s.each(func(ino uint32, _, _ int) bool { return yield(ino) })
	}
}

// ownerJoin counts the holders of a compactSet's CLOSE_WAIT sockets from
// the records of one iterator run, which come process by process in the
// order of their PIDs: held marks the sockets some process holds, seen
// those the current process holds (a dup()'d descriptor counts once), so
// that each socket counts once, for the first process found holding it,
// in two bits. A socket a later process holds too (after fork) is noted
// in shared and looked up again once the run is over (nameShared).
type ownerJoin struct {
	set        *compactSet
	held, seen *compactMarks
	tgid       uint32
	// marked lists the positions the current process marked seen, cleared
	// when the next process begins; past maxMarked every mark is cleared.
	marked []markPos
	owners map[int]*Owner
	// shared maps the inodes held by several processes to the later ones.
	shared map[uint32][]int
}

type markPos struct{ k, i int32 }

// maxMarked bounds ownerJoin.marked (8 KiB); a process holding more of
// the set clears every word of seen instead, which at most one process
// in maxMarked of the set's sockets does.
const maxMarked = 1 << 10

func newOwnerJoin(s *compactSet) *ownerJoin {
	return &ownerJoin{set: s, held: newCompactMarks(s), seen: newCompactMarks(s), owners: make(map[int]*Owner)}
}

// add joins one record: process tgid holds inode ino.
func (j *ownerJoin) add(tgid, ino uint32) {
	k, i, ok := j.set.pos(ino)
	if !ok {
		return
	}
	if tgid != j.tgid {
		j.endProcess()
		j.tgid = tgid
	}
	if !j.seen.mark(k, i) {
		return // this process again, through another descriptor
	}
	if len(j.marked) < maxMarked {
		j.marked = append(j.marked, markPos{int32(k), int32(i)})
	}
	if !j.held.mark(k, i) {
		if j.shared == nil {
			j.shared = make(map[uint32][]int)
		}
		j.shared[ino] = append(j.shared[ino], int(tgid))
		return
	}
	o := j.owners[int(tgid)]
	if o == nil {
		o = &Owner{PID: int(tgid)}
		j.owners[int(tgid)] = o
	}
	o.Sockets++
}

// endProcess clears the current process's seen marks.
func (j *ownerJoin) endProcess() {
	if j.seen.n > len(j.marked) {
		j.seen.reset()
	} else {
		for _, p := range j.marked {
			j.seen.clear(int(p.k), int(p.i))
		}
	}
	j.marked = j.marked[:0]
}

// nameShared looks the shared sockets up in one more run of the iterator
// and adds their other holders to the owner of each: the first process
// the run finds holding it, the one the join counted it for.
func (j *ownerJoin) nameShared(sc *scanner) error {
	if len(j.shared) == 0 {
		return nil
	}
	inodes := slices.Sorted(maps.Keys(j.shared))
	if err := sc.load(len(inodes)); err != nil {
		return err
	}
	holders := make(map[uint32][]int, len(inodes))
	sc.runs++
	err := sc.bpf.it.Sockets(slices.Values(inodes), len(inodes), taskfd.States{Lookup: uint32(StatesOf(CloseWait))}, func(r taskfd.File) {
		if pids := holders[r.Inode]; !slices.Contains(pids, int(r.TGID)) {
			holders[r.Inode] = append(pids, int(r.TGID))
		}
	})
	if err != nil {
		return err
	}
	for _, pids := range holders {
		o := j.owners[pids[0]]
		if o == nil || len(pids) == 1 {
			continue // its first holder closed it meanwhile, or the others did
		}
		for _, pid := range pids[1:] {
			if !slices.Contains(o.Holders, pid) {
				o.Holders = append(o.Holders, pid)
			}
		}
	}
	return nil
}

// unheld yields the inodes of the set no process was found holding, in
// ascending order.
func (j *ownerJoin) unheld() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		j.set.each(func(ino uint32, k, i int) bool { return j.held.has(k, i) || yield(ino) })
	}
}
