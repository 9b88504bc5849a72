package audit

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestInodeHeapKeepsSmallest offers inodes to a heap bounded at 4, above a
// floor of 10: it keeps the 4 smallest above the floor, sorted, and says
// there were more; inode 0 and inodes beyond 32 bits are never kept.
func TestInodeHeapKeepsSmallest(t *testing.T) {
	h := newInodeHeap(10)
	h.max = 4
	for _, ino := range []uint64{50, 0, 3, 10, 11, 40, 12, 99, 13, 1 << 33} {
		h.add(ino, CloseWait)
	}
	s := h.set()
	if d := cmp.Diff([]uint32{11, 12, 13, 40}, slices.Collect(s.Inodes())); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
	if !h.more() {
		t.Error("more() = false with 6 inodes offered above the floor and 4 kept")
	}
	h = newInodeHeap(0)
	h.add(7, Listen)
	if s := h.set(); h.more() || s.state(0) != Listen || s.last() != 7 {
		t.Errorf("one inode: more %v, set %+v", h.more(), s)
	}
}

// TestInodeSetClaim claims one inode for several PIDs: the first stays,
// each later claim returns it, and the packed state and inode survive;
// clearHolders forgets them.
func TestInodeSetClaim(t *testing.T) {
	s := NewInodeSet(map[uint64]State{5: CloseWait, 0xfffffffe: Listen})
	i, ok := s.index(0xfffffffe)
	if !ok || i != 1 {
		t.Fatalf("index(0xfffffffe) = %d, %v", i, ok)
	}
	for _, c := range []struct{ pid, before int32 }{{300, 0}, {100, 300}, {200, 300}, {4194304, 300}} {
		if got := s.claim(i, c.pid); got != c.before {
			t.Errorf("claim by %d found %d, want %d", c.pid, got, c.before)
		}
	}
	if s.holder(i) != 300 || s.inode(i) != 0xfffffffe || s.state(i) != Listen || s.holder(0) != 0 {
		t.Errorf("after the claims: holder %d, inode %x, state %v; other holder %d", s.holder(i), s.inode(i), s.state(i), s.holder(0))
	}
	if _, ok := s.index(6); ok {
		t.Error("index(6) found an inode not in the set")
	}
	s.clearHolders()
	if s.holder(i) != 0 || s.inode(i) != 0xfffffffe {
		t.Errorf("clearHolders left holder %d, inode %x", s.holder(i), s.inode(i))
	}
}

// TestHeapEachKeepsItsMapping collects garbage while each walks a census's
// CLOSE_WAIT heap, whose entries lie in a mapping of their own that is
// unmapped once the heap is unreachable: the walk keeps the heap, and reads
// every entry (unmapped, the next read would fault).
func TestHeapEachKeepsItsMapping(t *testing.T) {
	c := NewCensus(1, 0)
	for i := range 100000 {
		c.Add(&Socket{State: CloseWait, Inode: uint64(1000 + i)})
	}
	h := c.closeWait
	if h.mem == nil {
		t.Skip("the heap's entries are not in a mapping of their own here")
	}
	n, collected := 0, false
	h.each(func(uint32, State) {
		if !collected { // nothing else holds h or c from here on
			collected = true
			for range 3 {
				runtime.GC()
				time.Sleep(5 * time.Millisecond) // the cleanups run on a goroutine of their own
			}
		}
		n++
	})
	if n != 100000 {
		t.Errorf("each saw %d entries, want 100000", n)
	}
}

// TestDupAcrossReaders: a child's reader claims a socket first, the
// parent's (another reader, a lower PID) finds it held, then the child's
// reader meets a second descriptor of it: the child counts it once, the
// parent once, and the holder named is the parent with the child beside.
// (With the lowest PID displacing the first, the child's second
// descriptor found the parent and counted again.)
func TestDupAcrossReaders(t *testing.T) {
	set := NewInodeSet(map[uint64]State{42: CloseWait})
	b := newBatchScan(set)
	childReader, parentReader := b.hits(), b.hits()
	child, parent := &ProcessSockets{PID: 20}, &ProcessSockets{PID: 10}
	childReader.add(child, 42)
	parentReader.add(parent, 42)
	childReader.add(child, 42) // dup()'d descriptor
	parentReader.add(parent, 42)
	b.merge(childReader)
	b.merge(parentReader)
	b.finish()
	if child.Total != 1 || parent.Total != 1 {
		t.Errorf("child counted %d, parent %d; want 1 each", child.Total, parent.Total)
	}
	if h, ok := b.holder(0, 0); !ok || h.PID != 10 || !slices.Equal(h.Others, []int{20}) {
		t.Errorf("holder %+v, want 10 with 20 beside", h)
	}
}
