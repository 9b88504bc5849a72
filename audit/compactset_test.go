package audit

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// compactInodes returns n inodes: most close together (a busy process's
// sockets, as the kernel numbers them), the rest anywhere in 32 bits, with
// repeats.
func compactInodes(n int, seed uint64) []uint32 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]uint32, 0, n)
	base := uint32(r.Uint32N(1 << 30))
	for range n {
		switch r.IntN(10) {
		case 0:
			out = append(out, r.Uint32())
		case 1:
			if len(out) > 0 {
				out = append(out, out[r.IntN(len(out))])
				continue
			}
			fallthrough
		default:
			out = append(out, base+r.Uint32N(uint32(n)*6))
		}
	}
	return out
}

// TestCompactSetIsASet adds inodes and compares the set with a sorted,
// deduplicated slice: members, order, positions, the largest and its
// removal.
func TestCompactSetIsASet(t *testing.T) {
	for _, n := range []int{1, 100, 5000, 200000} {
		in := compactInodes(n, uint64(n))
		var s compactSet
		for _, ino := range in {
			s.add(ino)
		}
		want := slices.Compact(slices.Sorted(slices.Values(in)))
		var got []uint32
		s.each(func(ino uint32, k, i int) bool {
			if k2, i2, ok := s.pos(ino); !ok || k2 != k || i2 != i {
				t.Fatalf("n=%d: pos(%d) = %d, %d, %v; each gave %d, %d", n, ino, k2, i2, ok, k, i)
			}
			got = append(got, ino)
			return true
		})
		if !slices.Equal(got, want) || s.Len() != len(want) {
			t.Fatalf("n=%d: %d inodes back (Len %d), want %d", n, len(got), s.Len(), len(want))
		}
		if s.add(want[len(want)/2]) {
			t.Errorf("n=%d: a member added again", n)
		}
		for _, ino := range []uint32{want[0] - 1, want[len(want)-1] + 1} {
			if _, _, ok := s.pos(ino); ok && !slices.Contains(want, ino) {
				t.Errorf("n=%d: %d found, not a member", n, ino)
			}
		}
		for len(want) > 0 {
			if s.last() != want[len(want)-1] {
				t.Fatalf("n=%d: last %d, want %d", n, s.last(), want[len(want)-1])
			}
			s.removeLast()
			want = want[:len(want)-1]
			if len(want) > n/2 && len(want) > 10 {
				continue
			}
			break
		}
		if s.Len() != len(want) {
			t.Errorf("n=%d: Len %d after removals, want %d", n, s.Len(), len(want))
		}
	}
}

// TestCompactSetSize: 190,000 inodes among 1.2 million consecutive ones
// (a million sockets' worth) take bitmaps, 1 bit an inode of the range;
// 50,000 spread over 32 bits take arrays, 2 bytes each.
func TestCompactSetSize(t *testing.T) {
	size := func(s *compactSet) int {
		b := 0
		for _, c := range s.chunks {
			b += 2*cap(c.arr) + 8*len(c.bits) + 48
		}
		return b
	}
	r := rand.New(rand.NewPCG(3, 4))
	var dense compactSet
	for dense.Len() < 190000 {
		dense.add(5_000_000 + r.Uint32N(1_200_000))
	}
	if b := size(&dense); b > 200<<10 {
		t.Errorf("190,000 close inodes take %d bytes, want at most 200 KiB (8 bytes an inode would be 1.5 MB)", b)
	}
	var sparse compactSet
	for sparse.Len() < 50000 {
		sparse.add(r.Uint32())
	}
	if b := size(&sparse); b > 50000*3+48*65536 {
		t.Errorf("50,000 spread inodes take %d bytes", b)
	}
}

// TestCompactHeapKeepsSmallest offers more inodes than the bound to a
// census heap kept compact: it keeps the smallest and says more were
// offered; a kept inode offered again is not counted again.
func TestCompactHeapKeepsSmallest(t *testing.T) {
	h := newInodeHeap(0)
	h.max, h.compact, h.state = 1000, &compactSet{}, CloseWait
	in := compactInodes(20000, 7)
	for _, ino := range in {
		h.add(uint64(ino), CloseWait)
	}
	uniq := slices.Compact(slices.Sorted(slices.Values(in)))
	if uniq[0] == 0 {
		uniq = uniq[1:]
	}
	offered := h.offered
	for _, ino := range uniq[:1000] {
		h.add(uint64(ino), CloseWait)
	}
	set := h.set()
	got := slices.Collect(set.Inodes())
	if !slices.Equal(got, uniq[:1000]) || !h.more() || h.offered != offered {
		t.Errorf("kept %d (first %v), offered %d then %d, more %v; want the 1000 smallest", len(got), got[:min(3, len(got))], offered, h.offered, h.more())
	}
	for i := range set.Len() {
		if set.state(i) != CloseWait || set.holder(i) != 0 {
			t.Fatalf("entry %d: state %v holder %d", i, set.state(i), set.holder(i))
		}
	}
}

// TestCompactMarks sets, tests and clears marks of array and bitmap
// chunks.
func TestCompactMarks(t *testing.T) {
	var s compactSet
	for i := range uint32(6000) {
		s.add(1<<16 + i) // one chunk past arrayMax: a bitmap
	}
	s.add(7 << 16) // an array chunk
	m := newCompactMarks(&s)
	for _, ino := range []uint32{1<<16 + 5, 1<<16 + 5999, 7 << 16} {
		k, i, ok := s.pos(ino)
		if !ok || m.has(k, i) || !m.mark(k, i) || !m.has(k, i) || m.mark(k, i) {
			t.Fatalf("inode %d: a mark that does not hold", ino)
		}
	}
	if m.n != 3 {
		t.Errorf("%d marks, want 3", m.n)
	}
	k, i, _ := s.pos(7 << 16)
	m.clear(k, i)
	m.clear(k, i)
	if m.has(k, i) || m.n != 2 {
		t.Errorf("after clear: has %v, %d marks", m.has(k, i), m.n)
	}
}

// TestCompactHeapBeyondBatch keeps 300,000 inodes in a census's compact
// set (up to maxCompact): one join can take them all, and the batches of
// the attribution that cannot take the smallest AttributionBatch, then
// the rest.
func TestCompactHeapBeyondBatch(t *testing.T) {
	h := newInodeHeap(0)
	h.max, h.compact, h.state = maxCompact, &compactSet{}, CloseWait
	for i := range uint32(300000) {
		h.add(uint64(1000+7*i), CloseWait)
	}
	set := h.set()
	if h.overflowed() || !h.more() || set.Len() != AttributionBatch || set.last() != 1000+7*(AttributionBatch-1) {
		t.Errorf("overflowed %v, more %v, a batch of %d up to %d", h.overflowed(), h.more(), set.Len(), set.last())
	}
}
