package audit

import (
	"iter"
	"math/bits"
	"slices"
	"sort"
)

// compactSet is a set of 32-bit socket inodes in 2 to 4 bytes an inode,
// or one bit where they lie close together: the inodes are split by their
// upper 16 bits into chunks, each a sorted array of the lower 16 bits or,
// past arrayMax of them, a bitmap of 8 KiB (the layout of Roaring
// bitmaps). A census keeps the CLOSE_WAIT inodes it will attribute right
// away in one (see withEarlyRun): 190,000 of them took 1.5 MB as packed
// 8-byte entries, about 0.2 MB here (docs/benchmarks.md).
type compactSet struct {
	chunks []chunk
	n      int
	// top caches the largest inode; topValid says it is current.
	top      uint32
	topValid bool
}

// chunk holds the inodes of one value of the upper 16 bits.
type chunk struct {
	hi uint16
	// arr holds the lower halves, sorted, until the chunk holds more than
	// arrayMax; bits then holds them, 1024 words.
	arr  []uint16
	bits []uint64
	n    int
}

// arrayMax is the size past which a chunk takes its bitmap: an array
// grows by doubling its capacity, and the bitmap (8 KiB) is the size of the
// next one, 4,096 lower halves. Growing the array to 4,096 first, in the
// steps of append, left about 24 KiB of copies behind for each chunk of a
// dense set (0.4 MB at a million sockets, where a command's Go heap is
// collected at most once: every byte allocated stays resident); 8 KiB now
// (docs/benchmarks.md).
const arrayMax = 2048

// Len returns the number of inodes in the set.
func (s *compactSet) Len() int { return s.n }

// find returns the position of the chunk of hi, or where it would go.
func (s *compactSet) find(hi uint16) (int, bool) {
	k := sort.Search(len(s.chunks), func(k int) bool { return s.chunks[k].hi >= hi })
	return k, k < len(s.chunks) && s.chunks[k].hi == hi
}

// add adds ino and reports whether it was not in the set.
func (s *compactSet) add(ino uint32) bool {
	hi := uint16(ino >> 16)
	k, ok := s.find(hi)
	if !ok {
		s.chunks = slices.Insert(s.chunks, k, chunk{hi: hi})
	}
	if !s.chunks[k].add(uint16(ino)) {
		return false
	}
	s.n++
	if s.topValid && ino > s.top {
		s.top = ino
	}
	return true
}

func (c *chunk) add(lo uint16) bool {
	if c.bits != nil {
		w, b := lo>>6, uint64(1)<<(lo&63)
		if c.bits[w]&b != 0 {
			return false
		}
		c.bits[w] |= b
		c.n++
		return true
	}
	i, found := slices.BinarySearch(c.arr, lo)
	if found {
		return false
	}
	if len(c.arr) == arrayMax {
		c.bits = make([]uint64, 1024)
		for _, v := range c.arr {
			c.bits[v>>6] |= 1 << (v & 63)
		}
		c.arr = nil
		return c.add(lo)
	}
	if len(c.arr) == cap(c.arr) {
		grown := make([]uint16, len(c.arr), max(8, 2*cap(c.arr)))
		copy(grown, c.arr)
		c.arr = grown
	}
	c.arr = slices.Insert(c.arr, i, lo)
	c.n++
	return true
}

// last returns the largest inode; the set must not be empty.
func (s *compactSet) last() uint32 {
	if !s.topValid {
		c := &s.chunks[len(s.chunks)-1]
		s.top, s.topValid = uint32(c.hi)<<16|uint32(c.last()), true
	}
	return s.top
}

func (c *chunk) last() uint16 {
	if c.bits == nil {
		return c.arr[len(c.arr)-1]
	}
	for w := len(c.bits) - 1; ; w-- {
		if c.bits[w] != 0 {
			return uint16(w<<6 | (63 - bits.LeadingZeros64(c.bits[w])))
		}
	}
}

// removeLast removes the largest inode; the set must not be empty.
func (s *compactSet) removeLast() {
	k := len(s.chunks) - 1
	c := &s.chunks[k]
	if lo := c.last(); c.bits != nil {
		c.bits[lo>>6] &^= 1 << (lo & 63)
	} else {
		c.arr = c.arr[:len(c.arr)-1]
	}
	c.n--
	s.n--
	if c.n == 0 {
		s.chunks = s.chunks[:k]
	}
	s.topValid = false
}

// pos returns where ino lies: its chunk and its bit within the chunk's
// marks (see compactMarks), and whether it is in the set.
func (s *compactSet) pos(ino uint32) (k, i int, ok bool) {
	k, ok = s.find(uint16(ino >> 16))
	if !ok {
		return 0, 0, false
	}
	c := &s.chunks[k]
	lo := uint16(ino)
	if c.bits != nil {
		return k, int(lo), c.bits[lo>>6]&(1<<(lo&63)) != 0
	}
	i, ok = slices.BinarySearch(c.arr, lo)
	return k, i, ok
}

// each calls fn with every inode in ascending order, with its position
// (see pos), until fn returns false.
func (s *compactSet) each(fn func(ino uint32, k, i int) bool) {
	for k := range s.chunks {
		c := &s.chunks[k]
		base := uint32(c.hi) << 16
		if c.bits == nil {
			for i, lo := range c.arr {
				if !fn(base|uint32(lo), k, i) {
					return
				}
			}
			continue
		}
		for w, word := range c.bits {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &= word - 1
				if !fn(base|uint32(w<<6|b), k, w<<6|b) {
					return
				}
			}
		}
	}
}

// compactMarks is one bit for each inode of a compactSet that no longer
// changes, by position (see compactSet.pos); a chunk's bits are
// allocated when one of them is first set.
type compactMarks struct {
	set   *compactSet
	words [][]uint64
	n     int
}

func newCompactMarks(s *compactSet) *compactMarks {
	return &compactMarks{set: s, words: make([][]uint64, len(s.chunks))}
}

// has reports whether the bit at k, i is set.
func (m *compactMarks) has(k, i int) bool {
	w := m.words[k]
	return w != nil && w[i>>6]&(1<<(i&63)) != 0
}

// mark sets the bit at k, i and reports whether it was clear.
func (m *compactMarks) mark(k, i int) bool {
	w := m.words[k]
	if w == nil {
		c := &m.set.chunks[k]
		if c.bits != nil {
			w = make([]uint64, len(c.bits))
		} else {
			w = make([]uint64, (len(c.arr)+63)/64)
		}
		m.words[k] = w
	}
	b := uint64(1) << (i & 63)
	if w[i>>6]&b != 0 {
		return false
	}
	w[i>>6] |= b
	m.n++
	return true
}

// clear clears the bit at k, i.
func (m *compactMarks) clear(k, i int) {
	if w := m.words[k]; w != nil && w[i>>6]&(1<<(i&63)) != 0 {
		w[i>>6] &^= 1 << (i & 63)
		m.n--
	}
}

// unmarked yields the inodes of s whose bit in m is clear, in ascending
// order.
func unmarked(s *compactSet, m *compactMarks) iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		s.each(func(ino uint32, k, i int) bool { return m.has(k, i) || yield(ino) })
	}
}

// reset clears every bit.
func (m *compactMarks) reset() {
	for _, w := range m.words {
		clear(w)
	}
	m.n = 0
}
