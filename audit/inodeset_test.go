package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestInodeHeapKeepsSmallest offers inodes to a heap bounded at 4, above a
// floor of 10: it keeps the 4 smallest above the floor, sorted, and says
// there were more; inode 0 is never kept.
func TestInodeHeapKeepsSmallest(t *testing.T) {
	h := newInodeHeap(10)
	h.max = 4
	for _, ino := range []uint64{50, 0, 3, 10, 11, 40, 12, 99, 13, 1 << 33} {
		h.add(ino, CloseWait)
	}
	s := h.set()
	if d := cmp.Diff([]uint32{11, 12, 13, 40}, s.Inodes()); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
	if !h.more() {
		t.Error("more() = false with 6 inodes offered above the floor and 4 kept")
	}
	h = newInodeHeap(0)
	h.add(7, Listen)
	if h.more() || h.set().states[0] != Listen {
		t.Errorf("one inode: more %v, set %+v", h.more(), h.set())
	}
}

// TestInodeSetMerge merges two sorted sets; the receiver's state wins.
func TestInodeSetMerge(t *testing.T) {
	a := NewInodeSet(map[uint64]State{1: CloseWait, 5: CloseWait, 9: CloseWait})
	b := NewInodeSet(map[uint64]State{2: Listen, 5: Established, 20: Established})
	m := a.merge(b)
	want := map[uint32]State{1: CloseWait, 2: Listen, 5: CloseWait, 9: CloseWait, 20: Established}
	got := map[uint32]State{}
	for i, ino := range m.Inodes() {
		got[ino] = m.states[i]
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("merge (-want +got):\n%s", d)
	}
	for i := 1; i < m.Len(); i++ {
		if m.inodes[i-1] >= m.inodes[i] {
			t.Fatalf("merge not sorted: %v", m.inodes)
		}
	}
}
