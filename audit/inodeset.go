package audit

import (
	"cmp"
	"maps"
	"slices"
)

// AttributionBatch bounds the socket inodes attributed in one pass over the
// processes: a census keeps at most this many inodes (the smallest), and
// attribution takes the others in further batches, each with a census of
// the inodes above the last batch. Its memory is about 17 bytes an inode
// (the census heap, the sorted set and the holder of each), 1.1 MiB at the
// bound, whatever the number of sockets.
const AttributionBatch = 1 << 16

// InodeSet is a sorted set of socket inodes, each with its state. Socket
// inodes are 32-bit (get_next_ino, docs/kernel-facts.md §23), so an entry
// takes 5 bytes.
type InodeSet struct {
	inodes []uint32
	states []State
}

// NewInodeSet returns the set of the inodes of m that fit in 32 bits.
func NewInodeSet(m map[uint64]State) *InodeSet {
	s := &InodeSet{}
	for _, ino := range slices.Sorted(maps.Keys(m)) {
		if ino != 0 && ino <= 0xffffffff {
			s.inodes = append(s.inodes, uint32(ino))
			s.states = append(s.states, m[ino])
		}
	}
	return s
}

// Len returns the number of inodes in the set.
func (s *InodeSet) Len() int { return len(s.inodes) }

// Inodes returns the inodes, in ascending order. The caller must not
// modify them.
func (s *InodeSet) Inodes() []uint32 { return s.inodes }

// index returns the position of ino in the set.
func (s *InodeSet) index(ino uint64) (int, bool) {
	if ino > 0xffffffff {
		return 0, false
	}
	return slices.BinarySearch(s.inodes, uint32(ino))
}

// merge returns the union of s and o, both sorted; where both hold an
// inode, s's state wins.
func (s *InodeSet) merge(o *InodeSet) *InodeSet {
	if o.Len() == 0 {
		return s
	}
	out := &InodeSet{inodes: make([]uint32, 0, s.Len()+o.Len()), states: make([]State, 0, s.Len()+o.Len())}
	i, j := 0, 0
	for i < s.Len() || j < o.Len() {
		switch {
		case j == o.Len() || i < s.Len() && s.inodes[i] <= o.inodes[j]:
			if j < o.Len() && s.inodes[i] == o.inodes[j] {
				j++
			}
			out.inodes, out.states = append(out.inodes, s.inodes[i]), append(out.states, s.states[i])
			i++
		default:
			out.inodes, out.states = append(out.inodes, o.inodes[j]), append(out.states, o.states[j])
			j++
		}
	}
	return out
}

// inodeHeap keeps the smallest socket inodes above a floor, at most max
// of them, with their states, and counts all it was offered: a max-heap of
// inode<<8 | state.
type inodeHeap struct {
	h       []uint64
	max     int
	floor   uint32
	offered int
}

func newInodeHeap(floor uint32) *inodeHeap { return &inodeHeap{max: AttributionBatch, floor: floor} }

// add offers one socket; inode 0 (TIME_WAIT, request socks) and inodes at
// or below the floor are ignored.
func (h *inodeHeap) add(ino uint64, st State) {
	if ino == 0 || ino <= uint64(h.floor) || ino > 0xffffffff {
		return
	}
	h.offered++
	v := ino<<8 | uint64(st)
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

// more reports whether inodes were left out for the bound.
func (h *inodeHeap) more() bool { return h != nil && h.offered > len(h.h) }

// set returns the kept inodes as a sorted set. It sorts the heap in place,
// largest first, which keeps it a max-heap.
func (h *inodeHeap) set() *InodeSet {
	s := &InodeSet{}
	if h == nil {
		return s
	}
	slices.SortFunc(h.h, func(a, b uint64) int { return cmp.Compare(b, a) })
	n := len(h.h)
	s.inodes, s.states = make([]uint32, n), make([]State, n)
	for i, v := range h.h {
		s.inodes[n-1-i], s.states[n-1-i] = uint32(v>>8), State(v)
	}
	return s
}

// asMap returns the kept inodes as a map, for the callers of the map API.
func (h *inodeHeap) asMap() map[uint64]State {
	m := make(map[uint64]State, len(h.h))
	for _, v := range h.h {
		m[v>>8] = State(v)
	}
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
