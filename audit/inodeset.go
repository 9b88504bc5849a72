package audit

import (
	"iter"
	"maps"
	"runtime"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/tcpaudit/tcpaudit/internal/offheap"
)

// AttributionBatch bounds the socket inodes attributed in one pass over the
// processes: a census keeps at most this many inodes (the smallest), and
// attribution takes the others in further batches, each with a census of
// the inodes above the last batch. An inode takes 8 bytes (with its state
// and, once found, its holder), 2 MiB at the bound, whatever the number of
// sockets. The bound is what a million sockets with a fifth in CLOSE_WAIT
// need for one batch: each further batch costs a walk of the socket table
// and one of every open file (docs/benchmarks.md).
const AttributionBatch = 1 << 18

// An entry of an InodeSet or inodeHeap packs the first PID found holding the
// socket (bits 40-63, 0 until found: PIDs fit in 22 bits,
// docs/kernel-facts.md §29), its inode (bits 8-39: socket inodes are
// 32-bit, §27) and its state (bits 0-7).
const (
	inodeShift = 8
	pidShift   = 40
	inodeMask  = 1<<pidShift - 1<<inodeShift
	entryMask  = 1<<pidShift - 1 // inode and state
)

func pack(ino uint32, st State) uint64 { return uint64(ino)<<inodeShift | uint64(st) }

// InodeSet is a set of socket inodes, each with its state, sorted by
// inode, in 8 bytes an inode.
type InodeSet struct {
	v []uint64
	// mem keeps v's memory when it is off the Go heap (see inodeHeap).
	mem *offheap.Memory
	// tagged says the entries carry a tag of the caller's (see
	// WithFlowInodes) in place of a state.
	tagged bool
}

// NewInodeSet returns the set of the inodes of m that fit in 32 bits.
func NewInodeSet(m map[uint64]State) *InodeSet {
	s := &InodeSet{}
	for _, ino := range slices.Sorted(maps.Keys(m)) {
		if ino != 0 && ino <= 0xffffffff {
			s.v = append(s.v, pack(uint32(ino), m[ino]))
		}
	}
	return s
}

// Len returns the number of inodes in the set.
func (s *InodeSet) Len() int { return len(s.v) }

// Inodes yields the inodes in ascending order.
func (s *InodeSet) Inodes() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		for i := range s.v {
			if !yield(s.inode(i)) {
				return
			}
		}
	}
}

// The entries are read atomically: workers write holders into them
// while others look inodes up.
func (s *InodeSet) load(i int) uint64  { return atomic.LoadUint64(&s.v[i]) }
func (s *InodeSet) inode(i int) uint32 { return uint32(s.load(i) >> inodeShift) }
func (s *InodeSet) state(i int) State  { return State(s.load(i)) }

// holder returns the first PID found holding inode i, 0 for none (see
// claim).
func (s *InodeSet) holder(i int) int32 { return int32(s.load(i) >> pidShift) }

// last returns the largest inode, 0 for an empty set.
func (s *InodeSet) last() uint32 {
	if len(s.v) == 0 {
		return 0
	}
	return s.inode(len(s.v) - 1)
}

// index returns the position of ino in the set.
func (s *InodeSet) index(ino uint64) (int, bool) {
	if ino > 0xffffffff {
		return 0, false
	}
	key := ino << inodeShift
	i := sort.Search(len(s.v), func(i int) bool { return s.load(i)&inodeMask >= key })
	return i, i < len(s.v) && s.load(i)&inodeMask == key
}

// claim makes pid the holder of inode i when it has none and returns the
// holder it found there (0 for none). The first holder stays: a process
// that found another holding the socket has it in its reader's sharing
// list, so its other descriptors of the socket count nothing whatever the
// readers do meanwhile; batchScan.holder names the lowest PID of them.
func (s *InodeSet) claim(i int, pid int32) int32 {
	p := &s.v[i]
	for {
		old := atomic.LoadUint64(p)
		if held := int32(old >> pidShift); held != 0 {
			return held
		}
		if atomic.CompareAndSwapUint64(p, old, old&entryMask|uint64(pid)<<pidShift) {
			return 0
		}
	}
}

// clearHolders forgets the holders found by an earlier scan.
func (s *InodeSet) clearHolders() {
	for i := range s.v {
		s.v[i] &= entryMask
	}
}

// inodeHeap keeps the smallest socket inodes above a floor, at most max
// of them, with their states, and counts all it was offered: a max-heap of
// packed entries.
type inodeHeap struct {
	h   []uint64
	mem *offheap.Memory
	// grow says the array grows as it fills (Small) rather than taking
	// max at once.
	grow    bool
	max     int
	floor   uint32
	offered int
	// compact, when set, keeps the inodes in place of h, all in state
	// state (see withEarlyRun).
	compact *compactSet
	state   State
}

func newInodeHeap(floor uint32) *inodeHeap { return &inodeHeap{max: AttributionBatch, floor: floor} }

// makeCompact makes a CLOSE_WAIT heap that has kept nothing yet keep its
// inodes in a compactSet, up to maxCompact; nil does nothing.
func (h *inodeHeap) makeCompact() {
	if h != nil && h.h == nil {
		h.compact, h.state, h.max = &compactSet{}, CloseWait, maxCompact
	}
}

// add offers one socket; inode 0 (TIME_WAIT, request socks) and inodes at
// or below the floor are ignored.
func (h *inodeHeap) add(ino uint64, st State) {
	if ino == 0 || ino <= uint64(h.floor) || ino > 0xffffffff {
		return
	}
	h.offered++
	if h.compact != nil {
		h.addCompact(uint32(ino))
		return
	}
	v := pack(uint32(ino), st)
	if h.h == nil && !h.grow {
		// The bound at once, off the Go heap: only the pages written become
		// resident, where growing by appends would hold the old array and its
		// copy at once and leave garbage behind at every doubling, and the
		// bound does not count against the soft memory limit, which a 2 MiB
		// array on the heap holding a few thousand inodes squeezed into a
		// collection every few milliseconds (docs/benchmarks.md).
		h.h, h.mem = offheap.Make[uint64](h.max)
	}
	if len(h.h) < h.max {
		h.h = append(h.h, v)
		h.up(len(h.h) - 1)
		return
	}
	if v < h.h[0] {
		h.h[0] = v
		h.down(0)
	}
}

// addCompact offers one inode to the compact set: it keeps the smallest
// max inodes, and a socket offered twice (a walk may meet one twice) is
// offered once.
func (h *inodeHeap) addCompact(ino uint32) {
	s := h.compact
	switch {
	case s.n < h.max:
		if !s.add(ino) {
			h.offered--
		}
	case ino <= s.last():
		if s.add(ino) {
			s.removeLast()
		} else {
			h.offered--
		}
	}
}

// len returns the number of inodes kept.
func (h *inodeHeap) len() int {
	if h.compact != nil {
		return h.compact.n
	}
	return len(h.h)
}

// each calls fn with every inode kept and its state, in no set order.
func (h *inodeHeap) each(fn func(ino uint32, st State)) {
	if h.compact != nil {
		h.compact.each(func(ino uint32, _, _ int) bool { fn(ino, h.state); return true })
		return
	}
	for _, v := range h.h {
		fn(uint32(v&inodeMask>>inodeShift), State(v))
	}
	runtime.KeepAlive(h) // h.mem holds the mapping h.h lies in
}

// more reports whether inodes were left out of set: for the bound, or
// beyond AttributionBatch in a compact set, which keeps up to maxCompact.
func (h *inodeHeap) more() bool {
	return h != nil && (h.overflowed() || h.compact != nil && h.compact.n > AttributionBatch)
}

// overflowed reports whether inodes were left out for the bound.
func (h *inodeHeap) overflowed() bool { return h.offered > h.len() }

// set returns the kept inodes as a set that shares the heap's memory: it
// sorts the heap in place, ascending, so the census must be complete (a
// later add would break the heap).
func (h *inodeHeap) set() *InodeSet {
	if h == nil {
		return &InodeSet{}
	}
	if h.compact != nil { // the smallest AttributionBatch, as a heap keeps
		v, mem := offheap.Make[uint64](min(h.compact.n, AttributionBatch))
		h.compact.each(func(ino uint32, _, _ int) bool {
			v = append(v, pack(ino, h.state))
			return len(v) < AttributionBatch
		})
		return &InodeSet{v: v, mem: mem}
	}
	slices.Sort(h.h)
	s := &InodeSet{v: h.h, mem: h.mem}
	s.clearHolders()
	return s
}

// asMap returns the kept inodes as a map, for the callers of the map API.
func (h *inodeHeap) asMap() map[uint64]State {
	m := make(map[uint64]State, h.len())
	h.each(func(ino uint32, st State) { m[uint64(ino)] = st })
	return m
}

func (h *inodeHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h.h[p] >= h.h[i] {
			return
		}
		h.h[p], h.h[i] = h.h[i], h.h[p]
		i = p
	}
}

func (h *inodeHeap) down(i int) {
	for {
		l, m := 2*i+1, i
		if l < len(h.h) && h.h[l] > h.h[m] {
			m = l
		}
		if r := l + 1; r < len(h.h) && h.h[r] > h.h[m] {
			m = r
		}
		if m == i {
			return
		}
		h.h[i], h.h[m] = h.h[m], h.h[i]
		i = m
	}
}
