package audit

import (
	"iter"
	"maps"
	"slices"
)

// batchScan is what one pass over the processes found for some InodeSets:
// the sockets of each process by state and, in the sets themselves, the
// first PID found holding each inode (the others in shared), so that a
// socket shared after fork counts once for each process.
type batchScan struct {
	sets []*InodeSet
	// procs holds the processes holding sockets of the sets, each socket
	// counted for every process holding it.
	procs map[int]*ProcessSockets
	// shared maps each inode held by several processes to their PIDs, in
	// ascending order.
	shared     map[entry][]int
	unreadable int
	method     AttributionMethod
}

// entry is the position of an inode: set k, index i.
type entry struct{ k, i int }

func newBatchScan(sets ...*InodeSet) *batchScan {
	for _, s := range sets {
		s.clearHolders()
	}
	return &batchScan{sets: sets, procs: make(map[int]*ProcessSockets), shared: make(map[entry][]int)}
}

// lookupInodes yields the inodes of every set but those whose state is in
// whole (reported whatever their inode); a tagged set's entries carry no
// state and are all yielded.
func (b *batchScan) lookupInodes(whole StateSet) iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		for _, s := range b.sets {
			for i := range s.v {
				if !s.tagged && whole.Has(s.state(i)) {
					continue
				}
				if !yield(s.inode(i)) {
					return
				}
			}
		}
	}
}

// unheldInodes yields the inodes of every set that no process was found
// holding yet.
func (b *batchScan) unheldInodes() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		for _, s := range b.sets {
			for i := range s.v {
				if s.holder(i) == 0 && !yield(s.inode(i)) {
					return
				}
			}
		}
	}
}

// size is the number of inodes in the sets.
func (b *batchScan) size() int {
	n := 0
	for _, s := range b.sets {
		n += s.Len()
	}
	return n
}

// hits is one reader's share of a batchScan: the processes it read and
// the inodes it found already held by another process.
type hits struct {
	scan   *batchScan
	procs  []*ProcessSockets
	shared map[entry][]int
}

func (b *batchScan) hits() *hits { return &hits{scan: b, shared: make(map[entry][]int)} }

// add records that process p holds the socket of inode ino, in every set
// that has it; the process counts it once, with its state in the first.
//
// A descriptor of a socket the process was already found holding (a
// dup()'d one) counts nothing: the sockets are counted, not descriptors.
func (h *hits) add(p *ProcessSockets, ino uint64) {
	counted := false
	for k, s := range h.scan.sets {
		i, ok := s.index(ino)
		if !ok {
			continue
		}
		held := s.claim(i, int32(p.PID))
		if held == int32(p.PID) {
			return // this process again
		}
		if held != 0 {
			e := entry{k, i}
			if slices.Contains(h.shared[e], p.PID) {
				return // this process again, another holding the socket first
			}
			h.shared[e] = append(h.shared[e], int(held), p.PID)
		}
		if !counted {
			h.count(p, s.state(i))
			counted = true
		}
	}
}

// count counts one socket in state st for p.
func (h *hits) count(p *ProcessSockets, st State) {
	if p.States == nil {
		p.States = make(map[State]int)
		h.procs = append(h.procs, p)
	}
	p.States[st]++
	p.Total++
}

// merge adds the reader's findings to the scan; not safe for concurrent
// use (merge after the readers are done).
func (b *batchScan) merge(h *hits) {
	for _, p := range h.procs {
		if q, ok := b.procs[p.PID]; ok {
			q.Total += p.Total
			for st, n := range p.States {
				q.States[st] += n
			}
			continue
		}
		b.procs[p.PID] = p
	}
	for e, pids := range h.shared {
		b.shared[e] = append(b.shared[e], pids...)
	}
}

// finish sorts the sharing PIDs once every reader was merged.
func (b *batchScan) finish() {
	for e, pids := range b.shared {
		b.shared[e] = slices.Compact(slices.Sorted(slices.Values(pids)))
	}
}

// each calls fn with every inode of the sets, with the set's position,
// the inode's state and its holder (ok false when no process holds it).
func (b *batchScan) each(fn func(k int, ino uint32, st State, h Holder, ok bool)) {
	for k, s := range b.sets {
		for i := range s.v {
			h, ok := b.holder(k, i)
			fn(k, s.inode(i), s.state(i), h, ok)
		}
	}
}

// holder returns the holder of inode i of set k, when some process holds
// it.
func (b *batchScan) holder(k, i int) (Holder, bool) {
	pid := int(b.sets[k].holder(i))
	if pid == 0 {
		return Holder{}, false
	}
	pids := b.shared[entry{k, i}] // every holder, the first among them, sorted by finish
	if len(pids) > 1 {
		pid = pids[0]
	}
	h := Holder{PID: pid, Command: b.command(pid)}
	if len(pids) > 1 {
		h.Others = slices.Clone(pids[1:])
	}
	return h, true
}

func (b *batchScan) command(pid int) string {
	if p, ok := b.procs[pid]; ok {
		return p.Command
	}
	return "?"
}

// processes returns the processes, most sockets first.
func (b *batchScan) processes() []ProcessSockets {
	out := make([]ProcessSockets, 0, len(b.procs))
	for _, pid := range slices.Sorted(maps.Keys(b.procs)) {
		out = append(out, *b.procs[pid])
	}
	sortProcesses(out)
	return out
}
