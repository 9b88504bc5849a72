package audit

import (
	"iter"
	"slices"
	"sort"
)

// InodeList is a sorted list of socket inodes, 4 bytes an inode, that a
// census of the CLOSE_WAIT sockets thins to those still in CLOSE_WAIT
// (FS.StillCloseWait): sampling follows the CLOSE_WAIT sockets of its
// first census with it. A map of the 262,144 inodes a census keeps at
// most, and a second one of those seen again, took 20 MiB (35 MiB peak for
// a sample of 300,000 CLOSE_WAIT sockets).
type InodeList struct {
	v []uint32
	// Beyond counts the CLOSE_WAIT sockets of the census the list was
	// taken from that it leaves out (beyond AttributionBatch, the
	// largest inodes): sampling cannot say whether those stayed.
	Beyond int
}

// NewInodeList returns the list of the inodes that fit in 32 bits.
func NewInodeList(inodes []uint64) *InodeList {
	l := &InodeList{v: make([]uint32, 0, len(inodes))}
	for _, ino := range inodes {
		if ino != 0 && ino <= 0xffffffff {
			l.v = append(l.v, uint32(ino))
		}
	}
	slices.Sort(l.v)
	l.v = slices.Compact(l.v)
	return l
}

// add appends ino, which must be above every inode of l.
func (l *InodeList) add(ino uint32) { l.v = append(l.v, ino) }

// CloseWaitList returns the inodes of the CLOSE_WAIT sockets c kept (all
// of them up to AttributionBatch, the smallest beyond, Beyond counting
// the others); nil for a census made WithoutCloseWait.
func (c *Census) CloseWaitList() *InodeList {
	if c.closeWait == nil {
		return nil
	}
	h := c.closeWait
	if h.compact != nil { // ascending; it may keep more than AttributionBatch
		l := &InodeList{v: make([]uint32, 0, min(h.len(), AttributionBatch))}
		h.compact.each(func(ino uint32, _, _ int) bool {
			l.v = append(l.v, ino)
			return len(l.v) < AttributionBatch
		})
		l.Beyond = h.offered - len(l.v)
		return l
	}
	l := &InodeList{v: make([]uint32, 0, h.len()), Beyond: h.offered - h.len()}
	h.each(func(ino uint32, _ State) { l.v = append(l.v, ino) })
	slices.Sort(l.v)
	return l
}

// Len returns the number of inodes in the list; 0 for nil.
func (l *InodeList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.v)
}

// Has reports whether ino is in the list.
func (l *InodeList) Has(ino uint64) bool {
	_, ok := l.index(ino)
	return ok
}

func (l *InodeList) index(ino uint64) (int, bool) {
	if l == nil || ino > 0xffffffff {
		return 0, false
	}
	i := sort.Search(len(l.v), func(i int) bool { return uint64(l.v[i]) >= ino })
	return i, i < len(l.v) && uint64(l.v[i]) == ino
}

// All yields the inodes in ascending order.
func (l *InodeList) All() iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		for _, ino := range l.v {
			if !yield(uint64(ino)) {
				return
			}
		}
	}
}

// stillSet marks the CLOSE_WAIT sockets of a census that are in list,
// a bit an inode.
type stillSet struct {
	list *InodeList
	seen []uint64
}

func newStillSet(l *InodeList) *stillSet {
	if !slices.IsSorted(l.v) { // add's callers append in order; a list out of order is sorted
		slices.Sort(l.v)
	}
	return &stillSet{list: l, seen: make([]uint64, (len(l.v)+63)/64)}
}

func (s *stillSet) mark(ino uint64) {
	if i, ok := s.list.index(ino); ok {
		s.seen[i/64] |= 1 << (i % 64)
	}
}

// keep thins the list to the inodes marked.
func (s *stillSet) keep() {
	v := s.list.v[:0]
	for i, ino := range s.list.v {
		if s.seen[i/64]&(1<<(i%64)) != 0 {
			v = append(v, ino)
		}
	}
	s.list.v = v
}
